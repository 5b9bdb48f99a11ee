import { systemClock } from '@rpm/clinical';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FileClock, clockProvider } from './simulated-clock';

describe('FileClock: the simulated time another process writes', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'rpm-file-clock-'));
  const file = path.join(dir, 'now');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the file at most every 50 ms and keeps the last good time through a bad write', () => {
    let wall = 1_000;
    writeFileSync(file, '2025-01-06T06:00:00.000Z');
    const clock = new FileClock(file, () => wall);
    expect(clock.now().toISOString()).toBe('2025-01-06T06:00:00.000Z');
    writeFileSync(file, '2025-01-06T10:00:00.000Z');
    wall += 10;
    expect(clock.now().toISOString()).toBe('2025-01-06T06:00:00.000Z');
    wall += 50;
    expect(clock.now().toISOString()).toBe('2025-01-06T10:00:00.000Z');
    writeFileSync(file, '2025-01');
    wall += 50;
    expect(clock.now().toISOString()).toBe('2025-01-06T10:00:00.000Z');
  });

  it('refuses a file it cannot read at start', () => {
    expect(() => new FileClock(path.join(dir, 'absent'))).toThrow(/SIMULATED_CLOCK_FILE .*absent cannot be read/);
  });

  it('is the CLOCK only when a file is configured', () => {
    writeFileSync(file, '2025-01-06T06:00:00.000Z');
    expect(clockProvider('test', undefined).useFactory()).toBe(systemClock);
    expect(clockProvider('test', file).useFactory()).toBeInstanceOf(FileClock);
  });
});
