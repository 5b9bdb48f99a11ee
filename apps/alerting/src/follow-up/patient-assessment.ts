import { Inject, Injectable } from '@nestjs/common';
import { summarizeGlucose, type Assessment } from '@rpm/clinical';
import { READING_STORE } from '@rpm/platform';
import type { ReadingStore } from '@rpm/timeseries';
import { DataSource } from 'typeorm';

const DAY = 86_400_000;

/** Gathers a patient's last 30 days for the follow-up policy: alert load, adherence and control. */
@Injectable()
export class PatientAssessment {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(READING_STORE) private readonly store: ReadingStore,
  ) {}

  async assess(patientId: string, now: Date): Promise<Assessment> {
    const since = new Date(now.getTime() - 30 * DAY);
    const [alerts] = (await this.dataSource.query(
      `SELECT count(*) FILTER (WHERE severity = 'urgent')::int AS urgent, count(*) FILTER (WHERE severity = 'warning')::int AS warning
         FROM alerts WHERE patient_id = $1 AND opened_at > $2 AND opened_at <= $3 AND NOT retrospective`,
      [patientId, since, now],
    )) as { urgent: number; warning: number }[];
    const readings = await this.store.query({ patientId, from: since, to: now, limit: 20_000 });
    const days = new Set(readings.map((reading) => reading.measuredAt.slice(0, 10)));
    const recentCgm = readings.filter((reading) => reading.metric === 'glucose' && reading.context.source === 'cgm' && Date.parse(reading.measuredAt) > now.getTime() - 14 * DAY);
    const glucose = summarizeGlucose(recentCgm);
    const bp = readings.filter((reading) => reading.metric === 'blood_pressure' && Date.parse(reading.measuredAt) > now.getTime() - 7 * DAY);
    const mean = (field: string) => Math.round(bp.reduce((sum, reading) => sum + reading.values[field], 0) / bp.length);
    return {
      urgentAlerts: alerts.urgent,
      warningAlerts: alerts.warning,
      daysWithData: days.size,
      ...(glucose ? { timeInRangePercent: glucose.tir, timeBelow54Percent: glucose.tbr54 } : {}),
      ...(bp.length >= 4 ? { homeBp: { systolic: mean('systolic'), diastolic: mean('diastolic') } } : {}),
    };
  }
}
