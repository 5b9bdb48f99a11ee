import { renameSync, writeFileSync } from 'node:fs';

/**
 * The harness side of SIMULATED_CLOCK_FILE: the platform's processes read the simulated time from this
 * file; the harness moves it. Each write replaces the file atomically (write, then rename), so a process
 * never reads half an instant.
 */
export class SimulatedClockFile {
  private at: Date;

  constructor(
    readonly file: string,
    start: Date,
  ) {
    this.at = start;
    this.write();
  }

  now(): Date {
    return new Date(this.at.getTime());
  }

  set(at: Date): Date {
    this.at = new Date(at.getTime());
    this.write();
    return this.now();
  }

  private write(): void {
    const temporary = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temporary, `${this.at.toISOString()}\n`);
    renameSync(temporary, this.file);
  }
}
