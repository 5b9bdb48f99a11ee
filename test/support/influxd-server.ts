import { spawn, type ChildProcess } from 'node:child_process';
import { ensureInstalled } from './debian-packages';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from './free-port';
import { GiveUp, waitFor } from './wait-for';

/** influxd on free ports with its data in a temporary directory, gone when stopped. */
export class InfluxdServer {
  private process?: ChildProcess;
  private stderr = '';

  private constructor(
    readonly url: string,
    private readonly configPath: string,
    private readonly dataDir: string,
  ) {}

  static async start(): Promise<InfluxdServer> {
    ensureInstalled('influxd', 'influxdb', ' or set TEST_INFLUX_URL');
    const dataDir = mkdtempSync(path.join(tmpdir(), 'rpm-influxd-'));
    const [httpPort, rpcPort] = [await freePort(), await freePort()];
    const configPath = path.join(dataDir, 'influxdb.conf');
    writeFileSync(
      configPath,
      [
        'reporting-disabled = true',
        `bind-address = "127.0.0.1:${rpcPort}"`,
        '[meta]',
        `  dir = "${dataDir}/meta"`,
        '[data]',
        `  dir = "${dataDir}/data"`,
        `  wal-dir = "${dataDir}/wal"`,
        '  query-log-enabled = false',
        '[http]',
        `  bind-address = "127.0.0.1:${httpPort}"`,
        '  log-enabled = false',
        '[monitor]',
        '  store-enabled = false',
        '[continuous_queries]',
        '  enabled = false',
        '[logging]',
        '  level = "warn"',
        '',
      ].join('\n'),
    );
    const server = new InfluxdServer(`http://127.0.0.1:${httpPort}`, configPath, dataDir);
    try {
      await server.resume();
    } catch (error) {
      rmSync(dataDir, { recursive: true, force: true });
      throw error;
    }
    return server;
  }

  /** Starts (again) the influxd process on the same port and data. */
  async resume(): Promise<void> {
    const child = spawn('influxd', ['run', '-config', this.configPath], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.process = child;
    child.stderr?.on('data', (chunk) => (this.stderr = (this.stderr + chunk).slice(-4000)));
    try {
      await waitFor('influxd to answer /ping', async () => {
        if (child.exitCode !== null) throw new GiveUp(`influxd exited with ${child.exitCode}: ${this.stderr}`);
        const response = await fetch(`${this.url}/ping`);
        return response.status === 204 ? true : undefined;
      });
    } catch (error) {
      child.kill('SIGKILL');
      throw error;
    }
  }

  /** Stops the influxd process, keeping its data, as an outage would. */
  async halt(): Promise<void> {
    const child = this.process;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const killTimer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(killTimer);
  }

  async stop(): Promise<void> {
    await this.halt();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}
