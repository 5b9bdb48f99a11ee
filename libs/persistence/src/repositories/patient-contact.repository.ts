import type { DataSource } from 'typeorm';

export type ConsentScopeName = 'remote_monitoring' | 'contact_channels' | 'data_sharing';

export interface PatientContactRow {
  phone: string | null;
  email: string | null;
  channels: string[];
  language: string;
  quietHours: { start: string; end: string } | null;
  timeZone: string;
  updatedAt: Date | null;
}

export interface ConsentRow {
  id: string;
  scope: ConsentScopeName;
  givenAt: Date;
  recordedBy: string;
  withdrawnAt: Date | null;
  withdrawnBy: string | null;
  note: string | null;
}

export interface DuePatientReminder {
  patient_id: string;
  due_at: Date;
  kind: string;
  attempts: number;
}

export class ConsentError extends Error {
  constructor(
    readonly code: 'already_given' | 'not_given',
    message: string,
  ) {
    super(message);
  }
}

/**
 * A patient's contact details and preferences, consents (a withdrawal closes the row; history is kept), and
 * the reminders sent to the patient with each delivery attempt.
 */
export class PatientContactRepository {
  constructor(private readonly dataSource: DataSource) {}

  async contact(patientId: string): Promise<PatientContactRow> {
    const [row]: {
      phone: string | null;
      email: string | null;
      channels: string[] | null;
      language: string | null;
      quiet_start: string | null;
      quiet_end: string | null;
      time_zone: string;
      updated_at: Date | null;
    }[] = await this.dataSource.query(
      `SELECT c.phone, c.email, c.channels, c.language, c.quiet_start, c.quiet_end, p.time_zone, c.updated_at
         FROM patients p LEFT JOIN patient_contacts c ON c.patient_id = p.id WHERE p.id = $1`,
      [patientId],
    );
    return {
      phone: row?.phone ?? null,
      email: row?.email ?? null,
      channels: row?.channels ?? [],
      language: row?.language ?? 'en',
      quietHours: row?.quiet_start && row.quiet_end ? { start: row.quiet_start, end: row.quiet_end } : null,
      timeZone: row?.time_zone ?? 'UTC',
      updatedAt: row?.updated_at ?? null,
    };
  }

  async saveContact(
    patientId: string,
    contact: { phone: string | null; email: string | null; channels: string[]; language: string; quietHours: { start: string; end: string } | null },
    userId: string,
    now: Date,
  ): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO patient_contacts (patient_id, phone, email, channels, language, quiet_start, quiet_end, updated_at, updated_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (patient_id) DO UPDATE SET phone = $2, email = $3, channels = $4, language = $5, quiet_start = $6, quiet_end = $7, updated_at = $8, updated_by = $9`,
      [
        patientId,
        contact.phone,
        contact.email,
        contact.channels,
        contact.language,
        contact.quietHours?.start ?? null,
        contact.quietHours?.end ?? null,
        now,
        userId,
      ],
    );
  }

  async consents(patientId: string): Promise<ConsentRow[]> {
    return this.dataSource.query(
      `SELECT id::text, scope, given_at AS "givenAt", recorded_by AS "recordedBy", withdrawn_at AS "withdrawnAt", withdrawn_by AS "withdrawnBy", note
         FROM patient_consents WHERE patient_id = $1 ORDER BY given_at DESC, id DESC`,
      [patientId],
    );
  }

  async activeScopes(patientId: string): Promise<ConsentScopeName[]> {
    const rows: { scope: ConsentScopeName }[] = await this.dataSource.query(
      `SELECT scope FROM patient_consents WHERE patient_id = $1 AND withdrawn_at IS NULL ORDER BY scope`,
      [patientId],
    );
    return rows.map((row) => row.scope);
  }

  async giveConsent(patientId: string, scope: ConsentScopeName, userId: string, now: Date, note?: string): Promise<void> {
    const inserted: unknown[] = await this.dataSource.query(
      `INSERT INTO patient_consents (patient_id, scope, given_at, recorded_by, note) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (patient_id, scope) WHERE withdrawn_at IS NULL DO NOTHING RETURNING id`,
      [patientId, scope, now, userId, note ?? null],
    );
    if (inserted.length === 0) throw new ConsentError('already_given', `${scope} consent is already in force`);
  }

  /**
   * Withdraws a consent in force. Withdrawing remote_monitoring cancels the patient's alert deliveries still
   * owed (the alerts stay recorded); withdrawing contact_channels cancels reminders not yet sent. Same transaction.
   */
  async withdrawConsent(patientId: string, scope: ConsentScopeName, userId: string, now: Date, note?: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const [, count]: [unknown, number] = await manager.query(
        `UPDATE patient_consents SET withdrawn_at = $3, withdrawn_by = $4, note = coalesce($5, note) WHERE patient_id = $1 AND scope = $2 AND withdrawn_at IS NULL`,
        [patientId, scope, now, userId, note ?? null],
      );
      if (count === 0) throw new ConsentError('not_given', `no ${scope} consent is in force`);
      if (scope === 'remote_monitoring') {
        await manager.query(
          `UPDATE alert_deliveries d SET status = 'cancelled', last_error = 'remote_monitoring consent withdrawn', claimed_until = NULL, claimed_by = NULL
             FROM alerts a WHERE a.id = d.alert_id AND a.patient_id = $1 AND d.status = 'pending'`,
          [patientId],
        );
      }
      if (scope === 'contact_channels') {
        await manager.query(
          `UPDATE patient_reminders SET status = 'cancelled', last_error = 'contact_channels consent withdrawn' WHERE patient_id = $1 AND status = 'pending'`,
          [patientId],
        );
      }
    });
  }

  /** Plans due within 8 days with the patient reminders already recorded for that due date, for patients with contact consent. */
  upcomingForPatients(now: Date): Promise<{ patient_id: string; next_due_at: Date; sent: string[] }[]> {
    return this.dataSource.query(
      `SELECT p.patient_id, p.next_due_at, coalesce(array_agg(r.kind) FILTER (WHERE r.kind IS NOT NULL), '{}') AS sent
         FROM follow_up_plans p
         JOIN patient_consents c ON c.patient_id = p.patient_id AND c.scope = 'contact_channels' AND c.withdrawn_at IS NULL
         LEFT JOIN patient_reminders r ON r.patient_id = p.patient_id AND r.due_at = p.next_due_at
        WHERE p.next_due_at <= $1::timestamptz + interval '8 days' AND p.next_due_at >= $1::timestamptz - interval '1 day'
        GROUP BY p.patient_id, p.next_due_at`,
      [now],
    );
  }

  /** Records a reminder to send from `sendAfter`; false when it exists already (exactly once per due date and kind). */
  async recordReminder(patientId: string, dueAt: Date, kind: string, now: Date, sendAfter: Date): Promise<boolean> {
    const inserted: unknown[] = await this.dataSource.query(
      `INSERT INTO patient_reminders (patient_id, due_at, kind, created_at, send_after) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING kind`,
      [patientId, dueAt, kind, now, sendAfter],
    );
    return inserted.length > 0;
  }

  /** Claims pending reminders due by `now` for 15 minutes (SKIP LOCKED: instances share them, none is sent twice at once). */
  claimDue(now: Date, limit = 100): Promise<DuePatientReminder[]> {
    return this.dataSource.query(
      `WITH claimed AS (
         UPDATE patient_reminders r SET claimed_until = now() + interval '15 minutes'
          WHERE (r.patient_id, r.due_at, r.kind) IN (
            SELECT patient_id, due_at, kind FROM patient_reminders
             WHERE status = 'pending' AND send_after <= $1 AND (claimed_until IS NULL OR claimed_until <= now())
             ORDER BY send_after LIMIT $2 FOR UPDATE SKIP LOCKED)
          RETURNING r.patient_id, r.due_at, r.kind, r.attempts, r.send_after)
       SELECT patient_id, due_at, kind, attempts FROM claimed ORDER BY send_after`,
      [now, limit],
    );
  }

  async recordAttempt(reminder: DuePatientReminder, channel: string, at: Date, error?: string): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO patient_reminder_attempts (patient_id, due_at, kind, channel, at, outcome, error) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [reminder.patient_id, reminder.due_at, reminder.kind, channel, at, error === undefined ? 'sent' : 'failed', error ?? null],
    );
  }

  /** Settles a claimed reminder: sent (through `channel`), deferred to `retryAt`, failed or cancelled. */
  async settle(
    reminder: DuePatientReminder,
    outcome:
      { status: 'sent'; channel: string; at: Date } | { status: 'pending' | 'failed' | 'cancelled'; error: string; retryAt?: Date; countAttempt: boolean },
  ): Promise<void> {
    if (outcome.status === 'sent') {
      await this.dataSource.query(
        `UPDATE patient_reminders SET status = 'sent', channel = $4, sent_at = $5, attempts = attempts + 1, last_error = NULL, claimed_until = NULL
          WHERE patient_id = $1 AND due_at = $2 AND kind = $3`,
        [reminder.patient_id, reminder.due_at, reminder.kind, outcome.channel, outcome.at],
      );
      return;
    }
    await this.dataSource.query(
      `UPDATE patient_reminders SET status = $4, last_error = $5, send_after = coalesce($6, send_after), attempts = attempts + $7, claimed_until = NULL
        WHERE patient_id = $1 AND due_at = $2 AND kind = $3`,
      [reminder.patient_id, reminder.due_at, reminder.kind, outcome.status, outcome.error, outcome.retryAt ?? null, outcome.countAttempt ? 1 : 0],
    );
  }

  reminders(
    patientId: string,
  ): Promise<{ due_at: Date; kind: string; status: string; channel: string | null; sent_at: Date | null; attempts: number; last_error: string | null }[]> {
    return this.dataSource.query(
      `SELECT due_at, kind, status, channel, sent_at, attempts, last_error FROM patient_reminders WHERE patient_id = $1 ORDER BY due_at, created_at`,
      [patientId],
    );
  }

  attempts(patientId: string): Promise<{ kind: string; channel: string; outcome: string; error: string | null; at: Date }[]> {
    return this.dataSource.query(`SELECT kind, channel, outcome, error, at FROM patient_reminder_attempts WHERE patient_id = $1 ORDER BY id`, [patientId]);
  }

  /**
   * A patient's answer through a signed link, on the follow-up record: a confirmation is an event; a request to
   * reschedule is an event and an open task on the nurse worklist. Once per due date and action; nothing, and
   * 'gone', when `dueStillOpen` says the plan's due date (read under lock) no longer takes it.
   */
  async recordPatientAnswer(
    patientId: string,
    dueAt: Date,
    action: 'confirm' | 'reschedule',
    now: Date,
    dueStillOpen: (planDueAt: Date | null) => boolean = () => true,
  ): Promise<boolean | 'gone'> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query(`SELECT 1 FROM patients WHERE id = $1 FOR UPDATE`, [patientId]);
      // The plan row locked as a contact being recorded locks it: the answer sees the due date before or after it.
      const [plan]: { next_due_at: Date }[] = await manager.query(`SELECT next_due_at FROM follow_up_plans WHERE patient_id = $1 FOR UPDATE`, [patientId]);
      if (!dueStillOpen(plan ? new Date(plan.next_due_at) : null)) return 'gone';
      const kind = action === 'confirm' ? 'patient_confirmed' : 'patient_asked_to_reschedule';
      const [seen] = await manager.query(`SELECT 1 FROM follow_up_events WHERE patient_id = $1 AND kind = $2 AND due_at = $3`, [patientId, kind, dueAt]);
      if (seen) return false;
      await manager.query(`INSERT INTO follow_up_events (patient_id, at, kind, due_at, detail) VALUES ($1, $2, $3, $4, '{"via":"patient_link"}')`, [
        patientId,
        now,
        kind,
        dueAt,
      ]);
      if (action === 'reschedule') {
        await manager.query(
          `INSERT INTO follow_up_tasks (patient_id, kind, discipline, due_at, reason, created_at)
           VALUES ($1, 'patient_asked_to_reschedule', 'nursing', $2, 'the patient asked through their reminder link to reschedule the contact due ' || $3, $2)`,
          [patientId, now, dueAt.toISOString()],
        );
      }
      return true;
    });
  }

  /** Patients of these with an open request to reschedule (the worklist shows them). */
  async rescheduleRequests(patientIds: readonly string[]): Promise<Set<string>> {
    const rows: { patient_id: string }[] = await this.dataSource.query(
      `SELECT DISTINCT patient_id FROM follow_up_tasks WHERE patient_id = ANY($1) AND kind = 'patient_asked_to_reschedule' AND status = 'open'`,
      [patientIds],
    );
    return new Set(rows.map((row) => row.patient_id));
  }
}
