import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from './free-port';
import { waitFor } from './wait-for';

function onPath(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;
}

/** The tests need a real influxd. On a Debian machine where we are root, install it as CI does. */
export function ensureInfluxdInstalled(): void {
  if (onPath('influxd')) return;
  const isRoot = process.getuid?.() === 0;
  if (!isRoot || !onPath('apt-get')) {
    throw new Error('influxd is not installed. Install Debian\'s "influxdb" package (apt-get install -y influxdb) or set TEST_INFLUX_URL.');
  }
  process.stderr.write('influxd not found: installing Debian package "influxdb" (apt-get) ...\n');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', 'influxdb'], { stdio: 'inherit', env });
}

/** influxd on free ports with its data in a temporary directory, gone when stopped. */
export class InfluxdServer {
  private constructor(
    readonly url: string,
    private readonly process: ChildProcess,
    private readonly dataDir: string,
  ) {}

  static async start(): Promise<InfluxdServer> {
    ensureInfluxdInstalled();
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
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
      this.process.kill('SIGKILL');
    }
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}
