import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ensureInstalled } from './debian-packages';
import { freePort } from './free-port';
import { GiveUp, waitFor } from './wait-for';

const MACHINE_NATS_URL = 'nats://127.0.0.1:4222';

/** True when a NATS server with JetStream answers at the URL. */
async function answersWithJetStream(url: string): Promise<boolean> {
  const connection = await connect({ servers: url, timeout: 1_000, reconnect: false }).catch(() => undefined);
  if (!connection) return false;
  try {
    await (await jetstreamManager(connection)).getAccountInfo();
    return true;
  } catch {
    return false;
  } finally {
    await connection.close();
  }
}

/**
 * NATS with JetStream for the reading-log tests: TEST_NATS_URL when set, else the machine's own (CI machines
 * run one on 4222), else Debian's nats-server on a free port with its store in a temporary directory.
 */
export class NatsServer {
  private constructor(
    readonly url: string,
    private readonly child?: ChildProcess,
    private readonly dir?: string,
  ) {}

  static async start(): Promise<NatsServer> {
    const given = process.env.TEST_NATS_URL;
    if (given) return new NatsServer(given);
    if (await answersWithJetStream(MACHINE_NATS_URL)) return new NatsServer(MACHINE_NATS_URL);
    ensureInstalled('nats-server', 'nats-server', ' or set TEST_NATS_URL');
    const dir = mkdtempSync(path.join(tmpdir(), 'rpm-nats-'));
    const port = await freePort();
    const url = `nats://127.0.0.1:${port}`;
    let stderr = '';
    const child = spawn('nats-server', ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', dir], { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr?.on('data', (chunk) => (stderr = (stderr + chunk).slice(-4000)));
    try {
      await waitFor('nats-server to answer with JetStream', async () => {
        if (child.exitCode !== null) throw new GiveUp(`nats-server exited with ${child.exitCode}: ${stderr}`);
        return (await answersWithJetStream(url)) || undefined;
      });
    } catch (error) {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
      throw error;
    }
    return new NatsServer(url, child, dir);
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
  }
}
