import { spawn, type ChildProcess } from 'node:child_process';
import { DEFAULT_RESTART_POLICY, decideRestart, type RestartPolicy } from './restart-policy';

export interface SupervisedApp {
  name: string;
  /** The app's built entry point, run with this Node. */
  main: string;
  env: NodeJS.ProcessEnv;
}

/**
 * Runs the platform's apps as child processes and keeps them running: a crashed app (any exit the
 * launcher did not ask for, a kill -9 included) is restarted with backoff while the others carry on;
 * only a crash loop (restart-policy.ts) gives up, through `giveUp`, so the launcher stops everything.
 */
export class Supervisor {
  private readonly children = new Map<string, ChildProcess>();
  private readonly crashes = new Map<string, number[]>();
  private readonly restarts = new Set<NodeJS.Timeout>();
  private stopping = false;

  constructor(
    private readonly say: (line: string) => void,
    private readonly giveUp: (exitCode: number) => void,
    private readonly policy: RestartPolicy = DEFAULT_RESTART_POLICY,
  ) {}

  start(app: SupervisedApp): void {
    if (this.stopping) return;
    const child = spawn(process.execPath, [app.main], { env: app.env, stdio: ['ignore', 'inherit', 'inherit'] });
    this.children.set(app.name, child);
    this.say(`${app.name} started (pid ${child.pid})`);
    // 'exit' fires for a signal-killed child too (code null, signal set): nothing waits for a timeout.
    child.once('exit', (code, signal) => this.exited(app, code, signal));
  }

  /** Whether the app's current process is running (false between a crash and its restart). */
  isRunning(name: string): boolean {
    const child = this.children.get(name);
    return child !== undefined && alive(child);
  }

  /** SIGTERM to every running app, SIGKILL to those still running after `timeoutMs`; no restarts from now on. */
  async stop(timeoutMs: number): Promise<void> {
    this.stopping = true;
    for (const timer of this.restarts) clearTimeout(timer);
    const running = [...this.children.values()].filter(alive);
    const exits = running.map((child) => new Promise((resolve) => (child.once('exit', resolve), child.kill('SIGTERM'))));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(exits), new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
    clearTimeout(timer);
    for (const child of running) if (alive(child)) child.kill('SIGKILL');
  }

  private exited(app: SupervisedApp, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.stopping) return;
    const how = signal ?? `status ${code}`;
    const crashTimes = [...(this.crashes.get(app.name) ?? []), Date.now()].slice(-this.policy.maxCrashes);
    this.crashes.set(app.name, crashTimes);
    const decision = decideRestart(crashTimes, code, this.policy);
    if (decision.action === 'give-up') {
      this.say(`${app.name} stopped (${how}) and is not restarted: ${decision.reason}. Stopping the platform`);
      this.giveUp(code || 1);
      return;
    }
    this.say(`${app.name} stopped (${how}); restarting it in ${decision.delayMs / 1000} s, the other apps keep running`);
    const timer = setTimeout(() => {
      this.restarts.delete(timer);
      this.start(app);
    }, decision.delayMs);
    this.restarts.add(timer);
  }
}

const alive = (child: ChildProcess) => child.exitCode === null && child.signalCode === null;
