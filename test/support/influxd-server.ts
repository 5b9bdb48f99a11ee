import { spawn, type ChildProcess } from 'node:child_process';
import { ensureInstalled } from './debian-packages';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from './free-port';
import { waitFor } from './wait-for';

/** influxd on free ports with its data in a temporary directory, gone when stopped. */
export class InfluxdServer {
  private constructor(
    readonly url: string,
    private readonly process: ChildProcess,
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
    const child = spawn('influxd', ['run', '-config', configPath], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (chunk) => (stderr = (stderr + chunk).slice(-4000)));
    const url = `http://127.0.0.1:${httpPort}`;
    try {
      await waitFor('influxd to answer /ping', async () => {
        if (child.exitCode !== null) throw new Error(`influxd exited with ${child.exitCode}: ${stderr}`);
        const response = await fetch(`${url}/ping`);
        return response.status === 204 ? true : undefined;
      });
    } catch (error) {
      child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
      throw error;
    }
    return new InfluxdServer(url, child, dataDir);
  }

  async stop(): Promise<void> {
    if (this.process.exitCode === null) {
      const exited = new Promise((resolve) => this.process.once('exit', resolve));
      this.process.kill('SIGTERM');
      const killTimer = setTimeout(() => this.process.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(killTimer);
    }
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}
