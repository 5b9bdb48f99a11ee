import { canOpenUrgent, DEFAULT_RULES } from '@rpm/clinical';
import type { SpoolEntry } from './reading-spool';

/**
 * How long a short batch may wait for company before the drain sends it. Each drain cycle costs a store
 * request, an announcement (and alerting's evaluation of it as a batch) and a checkpoint whatever its size, so
 * at a light load every reading was a cycle of its own: 10 readings/s cost 14% of a core. A batch holding a
 * reading that could open an urgent alert goes after URGENT_MS, as before; any other waits up to QUIET_MS, or
 * until it holds QUIET_BATCH readings: at high rates the wait is short (40 ms at 2,500/s), and a cycle stays short
 * too, since an urgent reading arriving during one waits for it to end.
 */
export const LINGER = {
  URGENT_MS: 10,
  QUIET_MS: 1000,
  QUIET_BATCH: 100,
} as const;

/**
 * Tracks whether the readings waiting in the spool include one that could open an urgent alert under the
 * programme's default rules (canOpenUrgent, the test alerting's queue uses for its urgent lane). Each reading is
 * looked at once: the drain asks again at every append while it lingers.
 */
export class UrgentWatch {
  private scannedUpTo = 0;
  private urgent = false;

  /** Whether any entry of this batch (the spool's oldest pending ones) can open an urgent alert. */
  anyIn(batch: readonly SpoolEntry[]): boolean {
    if (this.urgent) return true;
    for (let index = batch.length - 1; index >= 0 && batch[index].recordNo > this.scannedUpTo; index--) {
      if (canOpenUrgent(DEFAULT_RULES, batch[index].reading)) this.urgent = true;
    }
    if (batch.length > 0) this.scannedUpTo = Math.max(this.scannedUpTo, batch[batch.length - 1].recordNo);
    return this.urgent;
  }

  /** The batch up to this record left the spool; what remains has not been looked at yet. */
  released(upToRecordNo: number): void {
    this.urgent = false;
    this.scannedUpTo = upToRecordNo;
  }
}

/** When a short batch is due (ms since the epoch): its oldest reading's append plus the linger that applies. */
export function dueAt(batch: readonly SpoolEntry[], urgent: boolean): number {
  if (batch.length === 0) return Infinity;
  if (!urgent && batch.length >= LINGER.QUIET_BATCH) return batch[0].appendedAt;
  return batch[0].appendedAt + (urgent ? LINGER.URGENT_MS : LINGER.QUIET_MS);
}
