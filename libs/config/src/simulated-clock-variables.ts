import { readFileSync } from 'node:fs';
import { z } from 'zod';

/**
 * A simulated clock for the virtual clinic (docs/follow-up-pathways.md): with SIMULATED_CLOCK_FILE set, the
 * follow-up centre, visit validation, the gateway's timestamp checks and the scheduled follow-up work read
 * "now" from that file (an ISO 8601 instant a harness rewrites) instead of the system clock. Refused in
 * production; each app warns loudly at start when it runs on one.
 */
export const simulatedClockVariables = {
  SIMULATED_CLOCK_FILE: z.string().min(1).optional(),
  NODE_ENV: z.string().optional(),
};

/** The instant in a clock file, or an error message a person can act on. */
export function readSimulatedClockFile(file: string): Date | string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8').trim();
  } catch (error) {
    return `cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}): it must name a file holding an ISO 8601 instant`;
  }
  const at = new Date(text);
  return /^\d{4}-\d{2}-\d{2}T/.test(text) && !Number.isNaN(at.getTime()) ? at : 'must hold an ISO 8601 instant such as 2026-01-05T06:00:00.000Z';
}

export function checkSimulatedClock(env: { SIMULATED_CLOCK_FILE?: string; NODE_ENV?: string }, ctx: z.RefinementCtx): void {
  if (!env.SIMULATED_CLOCK_FILE) return;
  if (env.NODE_ENV === 'production') {
    ctx.addIssue({
      code: 'custom',
      path: ['SIMULATED_CLOCK_FILE'],
      message: 'is refused with NODE_ENV=production: a simulated clock is for tests and rehearsals only',
    });
    return;
  }
  const read = readSimulatedClockFile(env.SIMULATED_CLOCK_FILE);
  if (typeof read === 'string') ctx.addIssue({ code: 'custom', path: ['SIMULATED_CLOCK_FILE'], message: read });
}
