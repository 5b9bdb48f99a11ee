import { SingleBar } from 'cli-progress';

/** A progress bar on stderr while history is published (stdout stays clean for --json). */
export class PublishProgress {
  private bar?: SingleBar;
  private done = 0;

  start(total: number): void {
    if (total === 0) return;
    this.bar = new SingleBar({
      stream: process.stderr,
      format: 'publishing |{bar}| {value}/{total} readings acknowledged ({percentage}%, eta {eta_formatted})',
      hideCursor: true,
      clearOnComplete: false,
      etaBuffer: 50,
    });
    this.bar.start(total, 0);
  }

  advance(count: number): void {
    this.done += count;
    this.bar?.update(Math.min(this.done, this.bar.getTotal()));
  }

  stop(): void {
    this.bar?.stop();
    this.bar = undefined;
  }
}
