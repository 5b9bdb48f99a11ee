import type { DataSource } from 'typeorm';

export interface DueSignInLink {
  id: string;
  patient_id: string;
  attempts: number;
}

/**
 * Requests for a fresh link to the patient's own page: who asked is never stored, only the patient whose phone or
 * e-mail on record matched (and who consents to be contacted). The alerting app claims and sends them.
 */
export class PatientSignInRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * The patients whose e-mail (compared without case) or E.164 phone on record is `address`, and who have
   * contact_channels consent in force: a link goes to no one who has not agreed to be contacted.
   */
  async patientsReachableAt(address: { email: string } | { phone: string }): Promise<string[]> {
    const rows: { patient_id: string }[] = await this.dataSource.query(
      `SELECT c.patient_id FROM patient_contacts c
        WHERE ${'email' in address ? 'lower(c.email) = lower($1)' : 'c.phone = $1'}
          AND EXISTS (SELECT 1 FROM patient_consents k
                       WHERE k.patient_id = c.patient_id AND k.scope = 'contact_channels' AND k.withdrawn_at IS NULL)
        ORDER BY c.patient_id`,
      ['email' in address ? address.email : address.phone],
    );
    return rows.map((row) => row.patient_id);
  }

  /**
   * Records a request for the patient unless one was made in the last `minGapMs` (a patient who taps twice, or
   * someone sending links to another's phone, gets one message, not a stream). True when recorded.
   */
  async request(patientId: string, now: Date, minGapMs: number, requestId: string): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(
      `INSERT INTO patient_sign_in_links (patient_id, requested_at, request_id, send_after)
       SELECT $1, $2, $4, $2
        WHERE NOT EXISTS (SELECT 1 FROM patient_sign_in_links
                           WHERE patient_id = $1 AND requested_at > $2::timestamptz - make_interval(secs => $3::double precision / 1000))
       RETURNING id`,
      [patientId, now, minGapMs, requestId],
    );
    return rows.length > 0;
  }

  /** Claims due requests for 15 minutes (a sender that dies leaves them to be claimed again). */
  claimDue(now: Date, limit = 100): Promise<DueSignInLink[]> {
    // In a CTE: the driver answers a bare UPDATE ... RETURNING as [rows, count].
    return this.dataSource.query(
      `WITH claimed AS (
         UPDATE patient_sign_in_links l SET claimed_until = now() + interval '15 minutes'
          WHERE l.id IN (SELECT id FROM patient_sign_in_links
                          WHERE status = 'pending' AND send_after <= $1 AND (claimed_until IS NULL OR claimed_until <= now())
                          ORDER BY send_after LIMIT $2 FOR UPDATE SKIP LOCKED)
          RETURNING l.id, l.patient_id, l.attempts, l.send_after)
       SELECT id::text AS id, patient_id, attempts FROM claimed ORDER BY send_after`,
      [now, limit],
    );
  }

  /** When the next pending request is due (its retry time, or the end of a claim on it); undefined when none is pending. */
  async nextDueAt(): Promise<Date | undefined> {
    const [row]: { due: Date | null }[] = await this.dataSource.query(
      `SELECT min(GREATEST(send_after, COALESCE(claimed_until, send_after))) AS due FROM patient_sign_in_links WHERE status = 'pending'`,
    );
    return row?.due ?? undefined;
  }

  async settle(
    link: DueSignInLink,
    outcome: { status: 'sent'; channel: string; at: Date } | { status: 'pending' | 'failed' | 'cancelled'; error: string; retryAt?: Date },
  ): Promise<void> {
    if (outcome.status === 'sent') {
      await this.dataSource.query(
        `UPDATE patient_sign_in_links SET status = 'sent', channel = $2, sent_at = $3, attempts = attempts + 1, last_error = NULL, claimed_until = NULL
          WHERE id = $1`,
        [link.id, outcome.channel, outcome.at],
      );
      return;
    }
    await this.dataSource.query(
      `UPDATE patient_sign_in_links SET status = $2, last_error = $3, send_after = COALESCE($4, send_after), claimed_until = NULL,
              attempts = attempts + CASE WHEN $2 = 'cancelled' THEN 0 ELSE 1 END
        WHERE id = $1`,
      [link.id, outcome.status, outcome.error, outcome.retryAt ?? null],
    );
  }
}
