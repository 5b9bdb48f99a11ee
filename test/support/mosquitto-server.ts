import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DynsecClient } from '@rpm/platform';
import { ensureInstalled } from './debian-packages';
import { freePort } from './free-port';
import { GiveUp, waitFor } from './wait-for';

/** Where Debian (and Ubuntu) ship the plugin; check with `dpkg -L mosquitto`. */
const DYNSEC_PLUGIN_PATHS = [
  '/usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so',
  '/usr/lib/aarch64-linux-gnu/mosquitto_dynamic_security.so',
  '/usr/lib/mosquitto_dynamic_security.so',
];

export interface MosquittoUser {
  username: string;
  password: string;
}

export interface MosquittoLimits {
  /** QoS 1 messages queued per client beyond those in flight; Mosquitto drops past it (its default is 1000). */
  maxQueuedMessages?: number;
  /** QoS 1 messages in flight to one client at a time (its default is 20). */
  maxInflightMessages?: number;
}

/**
 * A real Mosquitto 2 (Debian package) on free ports, set up as docs/deployment.md documents for
 * external-broker mode: password authentication, the topic ACL, a devices' listener that binds each
 * client id to the username (so no device can take over another's session), a listener for the
 * platform's own services (gateway replicas share one username under distinct client ids), and queues
 * raised so QoS 1 messages are not dropped.
 */
export class MosquittoServer {
  private constructor(
    /** Where devices connect: the client id is replaced by the username (use_username_as_clientid). */
    readonly url: string,
    /** Where the gateway and other platform services connect (internal network only in production). */
    readonly internalUrl: string,
    private readonly process: ChildProcess,
    private readonly dir: string,
  ) {}

  static async start(gateway: MosquittoUser, devices: MosquittoUser[], limits: MosquittoLimits = {}): Promise<MosquittoServer> {
    ensureInstalled('mosquitto', 'mosquitto');
    const dir = mkdtempSync(path.join(tmpdir(), 'rpm-mosquitto-'));
    const [port, internalPort] = [await freePort(), await freePort()];
    const passwordFile = path.join(dir, 'passwords');
    // One plain-text file hashed in place (-U) rather than one mosquitto_passwd run per user: the bench
    // registers hundreds of devices.
    const users = [gateway, ...devices];
    const unsafe = users.find((user) => user.username.includes(':'));
    if (unsafe) throw new Error(`mosquitto password files cannot hold a user name with ":" (${unsafe.username})`);
    writeFileSync(passwordFile, users.map((user) => `${user.username}:${user.password}\n`).join(''));
    execFileSync('mosquitto_passwd', ['-U', passwordFile]);
    const aclFile = path.join(dir, 'acl');
    writeFileSync(
      aclFile,
      [
        `user ${gateway.username}`,
        'topic read rpm/v1/devices/+/readings',
        'topic write rpm/v1/devices/+/replies',
        'topic write rpm/v1/devices/+/receipts',
        'topic readwrite rpm/internal/#',
        '',
        '# Every device: its own readings and replies only (%u is the username, which is the device id).',
        'pattern write rpm/v1/devices/%u/readings',
        'pattern read rpm/v1/devices/%u/replies',
        'pattern read rpm/v1/devices/%u/receipts',
        '',
      ].join('\n'),
    );
    const configFile = path.join(dir, 'mosquitto.conf');
    writeFileSync(
      configFile,
      [
        `listener ${port} 127.0.0.1`,
        'use_username_as_clientid true',
        `listener ${internalPort} 127.0.0.1`,
        'allow_anonymous false',
        `password_file ${passwordFile}`,
        `acl_file ${aclFile}`,
        'persistence false',
        `max_queued_messages ${limits.maxQueuedMessages ?? 100_000}`,
        `max_inflight_messages ${limits.maxInflightMessages ?? 1000}`,
        // 0 is no byte limit: only the message count above bounds a queue.
        'max_queued_bytes 0',
        'log_dest stderr',
        'log_type error',
        '',
      ].join('\n'),
    );
    // Started as root, mosquitto drops to the "mosquitto" user, which must read these files.
    chmodSync(dir, 0o755);
    for (const file of [passwordFile, aclFile, configFile]) chmodSync(file, 0o644);
    return MosquittoServer.spawnAndWait(configFile, dir, port, internalPort);
  }

  /**
   * Mosquitto with the dynamic-security plugin and no password or ACL file: `mosquitto_ctrl dynsec init`
   * writes the admin client, the platform (BrokerCredentials) adds devices over `$CONTROL/dynamic-security/v1`,
   * and the gateway's own client is added here the same way an operator would with mosquitto_ctrl.
   */
  static async startWithDynamicSecurity(admin: MosquittoUser, gateway: MosquittoUser): Promise<MosquittoServer> {
    ensureInstalled('mosquitto', 'mosquitto');
    const plugin = DYNSEC_PLUGIN_PATHS.find((candidate) => existsSync(candidate));
    if (!plugin) throw new Error(`the dynamic-security plugin is not at any of ${DYNSEC_PLUGIN_PATHS.join(', ')} (dpkg -L mosquitto)`);
    const dir = mkdtempSync(path.join(tmpdir(), 'rpm-mosquitto-dynsec-'));
    const [port, internalPort] = [await freePort(), await freePort()];
    const dynsecFile = path.join(dir, 'dynamic-security.json');
    execFileSync('mosquitto_ctrl', ['dynsec', 'init', dynsecFile, admin.username, admin.password], { stdio: 'ignore' });
    const configFile = path.join(dir, 'mosquitto.conf');
    writeFileSync(
      configFile,
      [
        `listener ${port} 127.0.0.1`,
        'use_username_as_clientid true',
        `listener ${internalPort} 127.0.0.1`,
        'allow_anonymous false',
        `plugin ${plugin}`,
        `plugin_opt_config_file ${dynsecFile}`,
        'persistence false',
        'max_queued_messages 100000',
        'max_queued_bytes 0',
        'log_dest stderr',
        'log_type error',
        '',
      ].join('\n'),
    );
    // Started as root, mosquitto drops to the "mosquitto" user, which must read and rewrite the dynsec file.
    chmodSync(dir, 0o777);
    for (const file of [dynsecFile, configFile]) chmodSync(file, 0o666);
    const server = await MosquittoServer.spawnAndWait(configFile, dir, port, internalPort);
    const dynsec = new DynsecClient({ url: server.internalUrl, username: admin.username, password: admin.password });
    try {
      const responses = await dynsec.send([
        {
          command: 'createRole',
          rolename: 'rpm-gateway',
          acls: [
            { acltype: 'subscribePattern', topic: 'rpm/v1/devices/+/readings', allow: true },
            { acltype: 'subscribePattern', topic: '$share/+/rpm/v1/devices/+/readings', allow: true },
            { acltype: 'publishClientReceive', topic: 'rpm/v1/devices/+/readings', allow: true },
            { acltype: 'publishClientSend', topic: 'rpm/v1/devices/+/replies', allow: true },
            { acltype: 'publishClientSend', topic: 'rpm/v1/devices/+/receipts', allow: true },
            { acltype: 'publishClientSend', topic: 'rpm/internal/#', allow: true },
            { acltype: 'publishClientReceive', topic: 'rpm/internal/#', allow: true },
            { acltype: 'subscribePattern', topic: 'rpm/internal/#', allow: true },
          ],
        },
        { command: 'createClient', username: gateway.username, password: gateway.password, roles: [{ rolename: 'rpm-gateway' }] },
      ]);
      const failed = responses.find((response) => response.error);
      if (failed) throw new Error(`dynsec ${failed.command}: ${failed.error}`);
    } finally {
      await dynsec.close();
    }
    return server;
  }

  private static async spawnAndWait(configFile: string, dir: string, port: number, internalPort: number): Promise<MosquittoServer> {
    const child = spawn('mosquitto', ['-c', configFile], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (chunk) => (stderr += chunk));
    await waitFor('mosquitto to listen', async () => {
      if (child.exitCode !== null) throw new GiveUp(`mosquitto exited with ${child.exitCode}: ${stderr}`);
      return (await portOpen(port)) && (await portOpen(internalPort)) ? true : undefined;
    });
    return new MosquittoServer(`mqtt://127.0.0.1:${port}`, `mqtt://127.0.0.1:${internalPort}`, child, dir);
  }

  async stop(): Promise<void> {
    if (this.process.exitCode === null) {
      const exited = new Promise((resolve) => this.process.once('exit', resolve));
      this.process.kill('SIGTERM');
      await exited;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => (socket.destroy(), resolve(false)));
  });
}
