import { Inject, Injectable } from '@nestjs/common';
import { HOME_BP_WINDOW_DAYS, daysWithData, localDaysFetchMs, summarizeCgm, summarizeHomeBp, type Assessment } from '@rpm/clinical';
import { AlertRepository, PatientRepository } from '@rpm/persistence';
import { READING_STORE } from '@rpm/platform';
import type { ReadingStore } from '@rpm/timeseries';
import { DataSource } from 'typeorm';

const DAY = 86_400_000;
const ASSESSED_DAYS = 30;
const CGM_DAYS = 14;

/**
 * Gathers a patient's last 30 days for the follow-up policy: alert load, adherence and control, with the
 * same clinical arithmetic as the API's summary (libs/clinical), unrounded so the policy judges exact values.
 */
@Injectable()
export class PatientAssessment {
  private readonly alerts: AlertRepository;
  private readonly patients: PatientRepository;

  constructor(
    @Inject(DataSource) dataSource: DataSource,
    @Inject(READING_STORE) private readonly store: ReadingStore,
  ) {
    this.alerts = new AlertRepository(dataSource);
    this.patients = new PatientRepository(dataSource);
  }

  async assess(patientId: string, now: Date): Promise<Assessment> {
    const since = new Date(now.getTime() - ASSESSED_DAYS * DAY);
    const [alerts, patient, readings] = await Promise.all([
      this.alerts.loadOpenedBetween(patientId, since, now),
      this.patients.find(patientId),
      this.store.query({ patientId, from: new Date(now.getTime() - localDaysFetchMs(ASSESSED_DAYS)), to: now, limit: 20_000 }),
    ]);
    const timeZone = patient?.timeZone ?? 'UTC';
    const within = (days: number) => readings.filter((reading) => Date.parse(reading.measuredAt) > now.getTime() - days * DAY);
    const glucose = summarizeCgm(within(CGM_DAYS), CGM_DAYS);
    const homeBp = summarizeHomeBp(within(HOME_BP_WINDOW_DAYS), timeZone);
    return {
      urgentAlerts: alerts.urgent,
      warningAlerts: alerts.warning,
      daysWithData: daysWithData(
        readings.map((reading) => reading.measuredAt),
        timeZone,
        now,
        ASSESSED_DAYS,
      ),
      ...(glucose ? { timeInRangePercent: glucose.tir, timeBelow54Percent: glucose.tbr54 } : {}),
      ...(homeBp ? { homeBp: { systolic: homeBp.systolic, diastolic: homeBp.diastolic } } : {}),
    };
  }
}
