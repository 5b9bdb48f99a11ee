import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { freePort } from './free-port';
import { waitFor } from './wait-for';

/** A real SMTP server that accepts every message and keeps its text: Python 3.11's smtpd DebuggingServer. */
export class SmtpSink {
  private output = '';

  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
  ) {
    child.stdout?.on('data', (chunk) => (this.output += chunk));
  }

  static async start(): Promise<SmtpSink> {
    const port = await freePort();
    const child = spawn('python3', ['-u', '-W', 'ignore', '-m', 'smtpd', '-n', '-c', 'DebuggingServer', `127.0.0.1:${port}`], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    await waitFor(
      'the SMTP sink to listen',
      () =>
        new Promise<true | undefined>((resolve) => {
          const socket = connect(port, '127.0.0.1');
          socket.once('connect', () => (socket.destroy(), resolve(true)));
          socket.once('error', () => (socket.destroy(), resolve(undefined)));
        }),
    );
    return new SmtpSink(child, `smtp://127.0.0.1:${port}`);
  }

  /** Everything received so far, headers and bodies. */
  get received(): string {
    return this.output;
  }

  stop(): void {
    this.child.kill();
  }
}
