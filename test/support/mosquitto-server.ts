import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ensureInstalled } from './debian-packages';
import { freePort } from './free-port';
import { GiveUp, waitFor } from './wait-for';

export interface MosquittoUser {
  username: string;
  password: string;
}

/**
 * A real Mosquitto 2 (Debian package) on a free port, with password authentication and the topic ACL the
 * platform documents for external-broker mode, and queues raised so QoS 1 messages are not dropped.
 */
export class MosquittoServer {
  private constructor(
    readonly url: string,
    private readonly process: ChildProcess,
    private readonly dir: string,
  ) {}

  static async start(gateway: MosquittoUser, devices: MosquittoUser[]): Promise<MosquittoServer> {
    ensureInstalled('mosquitto', 'mosquitto');
    const dir = mkdtempSync(path.join(tmpdir(), 'rpm-mosquitto-'));
    const port = await freePort();
    const passwordFile = path.join(dir, 'passwords');
    writeFileSync(passwordFile, '');
    for (const user of [gateway, ...devices]) execFileSync('mosquitto_passwd', ['-b', passwordFile, user.username, user.password]);
    const aclFile = path.join(dir, 'acl');
    writeFileSync(
      aclFile,
      [
        `user ${gateway.username}`,
        'topic read rpm/v1/devices/+/readings',
        'topic write rpm/v1/devices/+/replies',
        'topic readwrite rpm/internal/#',
        '',
        '# Every device: its own readings and replies only (%u is the username, which is the device id).',
        'pattern write rpm/v1/devices/%u/readings',
        'pattern read rpm/v1/devices/%u/replies',
        '',
      ].join('\n'),
    );
    const configFile = path.join(dir, 'mosquitto.conf');
    writeFileSync(
      configFile,
      [
        `listener ${port} 127.0.0.1`,
        'allow_anonymous false',
        `password_file ${passwordFile}`,
        `acl_file ${aclFile}`,
        'persistence false',
        'max_queued_messages 100000',
        'max_inflight_messages 1000',
        'log_dest stderr',
        'log_type error',
        '',
      ].join('\n'),
    );
    // Started as root, mosquitto drops to the "mosquitto" user, which must read these files.
    chmodSync(dir, 0o755);
    for (const file of [passwordFile, aclFile, configFile]) chmodSync(file, 0o644);
    const child = spawn('mosquitto', ['-c', configFile], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (chunk) => (stderr += chunk));
    await waitFor('mosquitto to listen', async () => {
      if (child.exitCode !== null) throw new GiveUp(`mosquitto exited with ${child.exitCode}: ${stderr}`);
      return new Promise<true | undefined>((resolve) => {
        const socket = connect(port, '127.0.0.1');
        socket.once('connect', () => (socket.destroy(), resolve(true)));
        socket.once('error', () => (socket.destroy(), resolve(undefined)));
      });
    });
    return new MosquittoServer(`mqtt://127.0.0.1:${port}`, child, dir);
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
