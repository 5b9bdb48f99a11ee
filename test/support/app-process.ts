import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import path from 'node:path';
import { repoRoot } from './repo-root';
import { GiveUp, waitFor } from './wait-for';

/** One app (`node dist/apps/<name>/src/main.js`) as an operator runs it, ready once `port` accepts. */
export class AppProcess {
  private output = '';

  private constructor(private readonly child: ChildProcess) {
    child.stdout?.on('data', (chunk) => (this.output = (this.output + chunk).slice(-20_000)));
    child.stderr?.on('data', (chunk) => (this.output = (this.output + chunk).slice(-20_000)));
  }

  /**
   * Ready once `readiness` (a TCP port, or a line in the app's log) shows it is serving, within
   * `readyWithinMs` (a busy machine starts an app in seconds; a test under load may allow more).
   */
  static async start(
    app: 'gateway' | 'alerting' | 'api',
    env: Record<string, string>,
    readiness: number | { logLine: string },
    nodeArgs: string[] = [],
    readyWithinMs = 20_000,
  ): Promise<AppProcess> {
    const main = path.join(repoRoot(), `dist/apps/${app}/src/main.js`);
    const child = spawn(process.execPath, [...nodeArgs, main], { env: { ...process.env, LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const started = new AppProcess(child);
    try {
      await waitFor(
        `${app} to be ready`,
        async () => {
          if (child.exitCode !== null) throw new GiveUp(`${app} exited with ${child.exitCode}`);
          const ready = typeof readiness === 'number' ? await portOpen(readiness) : started.output.includes(readiness.logLine);
          return ready ? true : undefined;
        },
        readyWithinMs,
      );
    } catch (error) {
      child.kill('SIGKILL');
      throw new Error(`${(error as Error).message}\n${started.output}`);
    }
    return started;
  }

  get log(): string {
    return this.output;
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill(signal);
    await exited;
  }
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => (socket.destroy(), resolve(false)));
  });
}
