import type { DataSource } from 'typeorm';
import { AlertRepository, type EpisodeChange, type EpisodeFiring } from './alert.repository';

/** A response as it is recorded: answers by item, and the score and band of the instrument version that scored it. */
export interface NewQuestionnaireResponse {
  instrument: string;
  instrumentVersion: number;
  answers: Record<string, number>;
  total: number;
  band: string;
  answeredAt: Date;
  enteredBy: string | null;
  source: 'clinician' | 'patient';
}

export interface QuestionnaireResponseRow extends NewQuestionnaireResponse {
  id: string;
  createdAt: Date;
}

/** A response to a questionnaire given one at a time (the survey after a contact) with none open: not recorded. */
export class NoOpenAssignmentError extends Error {
  constructor(readonly instrument: string) {
    super(`no open ${instrument} questionnaire to answer`);
  }
}

const COLUMNS = `id, instrument, instrument_version AS "instrumentVersion", answers, total, band, answered_at AS "answeredAt",
                 entered_by AS "enteredBy", source, created_at AS "createdAt"`;

/**
 * Patient-reported outcomes. A response and the alerts its answers raise are written in one transaction, so an
 * alert exists exactly when the response that raised it does; the alerts go through the episode store like any
 * rule firing, so the live stream, escalation and delivery see them as any other alert.
 */
export class QuestionnaireResponseRepository {
  constructor(private readonly dataSource: DataSource) {}

  async record(
    patientId: string,
    response: NewQuestionnaireResponse,
    firings: readonly EpisodeFiring[],
    options: { requireOpenAssignment?: boolean } = {},
  ): Promise<{ response: QuestionnaireResponseRow; alerts: NonNullable<EpisodeChange>[] }> {
    const alerts = new AlertRepository(this.dataSource);
    return this.dataSource.transaction(async (manager) => {
      const [row]: QuestionnaireResponseRow[] = await manager.query(
        `INSERT INTO questionnaire_responses (patient_id, instrument, instrument_version, answers, total, band, answered_at, entered_by, source)
         VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7, $8, $9) RETURNING ${COLUMNS}`,
        [
          patientId,
          response.instrument,
          response.instrumentVersion,
          JSON.stringify(response.answers),
          response.total,
          response.band,
          response.answeredAt,
          response.enteredBy,
          response.source,
        ],
      );
      // A response answers the oldest open assignment of its instrument (the survey after a contact), if any;
      // one that must answer an assignment and finds none is not recorded (the transaction rolls back).
      const answered: { id: string }[] = await manager.query(
        `WITH answered AS (
           UPDATE questionnaire_assignments SET status = 'answered', response_id = $3, closed_at = $4
            WHERE id = (SELECT id FROM questionnaire_assignments WHERE patient_id = $1 AND instrument = $2 AND status = 'open' AND expires_at > $4
                         ORDER BY assigned_at LIMIT 1 FOR UPDATE)
            RETURNING id)
         SELECT id FROM answered`,
        [patientId, response.instrument, row.id, response.answeredAt],
      );
      if (options.requireOpenAssignment && answered.length === 0) throw new NoOpenAssignmentError(response.instrument);
      const changes: NonNullable<EpisodeChange>[] = [];
      for (const firing of firings) {
        const change = await alerts.recordFiring(patientId, firing, manager);
        if (change) changes.push(change);
      }
      return { response: row, alerts: changes };
    });
  }

  /** Questionnaires given to the patient one at a time (the survey after a contact), open at `now`. */
  openAssignments(patientId: string, now: Date): Promise<{ instrument: string; assignedAt: Date; expiresAt: Date }[]> {
    return this.dataSource.query(
      `SELECT instrument, assigned_at AS "assignedAt", expires_at AS "expiresAt" FROM questionnaire_assignments
        WHERE patient_id = $1 AND status = 'open' AND assigned_at <= $2 AND expires_at > $2 ORDER BY assigned_at`,
      [patientId, now],
    );
  }

  /** The patient's responses, newest first. */
  recent(patientId: string, limit: number): Promise<QuestionnaireResponseRow[]> {
    return this.dataSource.query(`SELECT ${COLUMNS} FROM questionnaire_responses WHERE patient_id = $1 ORDER BY answered_at DESC, id LIMIT $2`, [
      patientId,
      limit,
    ]);
  }

  /** When the patient last answered each instrument. */
  async lastAnswered(patientId: string): Promise<Map<string, Date>> {
    const rows: { instrument: string; last: Date }[] = await this.dataSource.query(
      'SELECT instrument, max(answered_at) AS last FROM questionnaire_responses WHERE patient_id = $1 GROUP BY instrument',
      [patientId],
    );
    return new Map(rows.map((row) => [row.instrument, row.last]));
  }

  /** Responses answered in [from, to), for the timeline and the FHIR export. */
  between(patientId: string, from: Date, to: Date, limit = 1000): Promise<QuestionnaireResponseRow[]> {
    return this.dataSource.query(
      `SELECT ${COLUMNS} FROM questionnaire_responses WHERE patient_id = $1 AND answered_at >= $2 AND answered_at < $3 ORDER BY answered_at DESC LIMIT $4`,
      [patientId, from, to, limit],
    );
  }

  /**
   * Live, non-retrospective alerts raised by questionnaire answers that have no 'opened' delivery yet: the API
   * records them, the alerting app (which knows the channels) queues their delivery.
   */
  async undeliveredAlerts(since: Date): Promise<string[]> {
    const rows: { id: string }[] = await this.dataSource.query(
      `SELECT a.id FROM alerts a
        WHERE a.rule_id LIKE 'questionnaire.%' AND NOT a.retrospective AND a.status IN ('open', 'acknowledged', 'snoozed') AND a.created_at >= $1
          AND NOT EXISTS (SELECT 1 FROM alert_deliveries d WHERE d.alert_id = a.id AND d.event = 'opened')
        ORDER BY a.created_at LIMIT 500`,
      [since],
    );
    return rows.map((row) => row.id);
  }
}
