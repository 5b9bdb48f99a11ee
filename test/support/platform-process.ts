import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from './free-port';
import { repoRoot } from './repo-root';
import { GiveUp, waitFor } from './wait-for';

const LAUNCHER = path.join(repoRoot(), 'dist/scripts/start-platform.js');

/** The platform as a user runs it (`npm start`'s launcher, three app processes), on free ports. */
export class PlatformProcess {
  private output = '';

  private constructor(
    private readonly child: ChildProcess,
    readonly mqttUrl: string,
    readonly httpUrl: string,
    readonly gatewayHttpUrl: string,
    readonly dataDir: string,
    readonly alertingHttpUrl: string,
  ) {
    child.stdout?.on('data', (chunk) => (this.output += chunk));
    child.stderr?.on('data', (chunk) => (this.output += chunk));
  }

  static async start(env: Record<string, string>): Promise<PlatformProcess> {
    const [mqttPort, httpPort, gatewayHttpPort, alertingHttpPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
    const dataDir = mkdtempSync(path.join(tmpdir(), 'rpm-platform-'));
    chmodSync(dataDir, 0o755); // run as root, the embedded PostgreSQL runs as "postgres" and must enter it
    const child = spawn(process.execPath, [LAUNCHER], {
      env: {
        ...process.env,
        MQTT_HOST: '127.0.0.1',
        MQTT_PORT: String(mqttPort),
        HTTP_HOST: '127.0.0.1',
        HTTP_PORT: String(httpPort),
        GATEWAY_HTTP_HOST: '127.0.0.1',
        GATEWAY_HTTP_PORT: String(gatewayHttpPort),
        ALERTING_HTTP_HOST: '127.0.0.1',
        ALERTING_HTTP_PORT: String(alertingHttpPort),
        DATA_DIR: dataDir,
        LOG_LEVEL: 'warn',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const platform = new PlatformProcess(
      child,
      `mqtt://127.0.0.1:${mqttPort}`,
      `http://127.0.0.1:${httpPort}`,
      `http://127.0.0.1:${gatewayHttpPort}`,
      dataDir,
      `http://127.0.0.1:${alertingHttpPort}`,
    );
    try {
      await waitFor(
        'the platform to start',
        async () => {
          if (child.exitCode !== null) throw new GiveUp(`launcher exited with ${child.exitCode}`);
          return platform.output.includes('the platform is running') ? true : undefined;
        },
        60_000,
      );
    } catch (error) {
      child.kill('SIGKILL');
      throw new Error(`${(error as Error).message}\nlauncher output:\n${platform.output}`);
    }
    return platform;
  }

  get log(): string {
    return this.output;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null) {
      const exited = new Promise((resolve) => this.child.once('exit', resolve));
      this.child.kill('SIGTERM');
      await exited;
    }
    rmSync(this.dataDir, { recursive: true, force: true, maxRetries: 5 });
  }
}
