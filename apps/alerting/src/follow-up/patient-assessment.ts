import { Inject, Injectable } from '@nestjs/common';
import { HOME_BP_WINDOW_DAYS, adherencePercent, daysWithData, localDaysFetchMs, summarizeCgm, summarizeHomeBp, type Assessment } from '@rpm/clinical';
import { FollowUpPlanRepository, PatientRepository } from '@rpm/persistence';
import { READING_STORE } from '@rpm/platform';
import type { ReadingStore } from '@rpm/timeseries';
import { DataSource } from 'typeorm';

const DAY = 86_400_000;
const ASSESSED_DAYS = 30;
const CGM_DAYS = 14;
/** Adherence is judged over the last 14 days (the CGM summary's window), against each device's own cadence. */
const ADHERENCE_DAYS = 14;

/**
 * Gathers a patient's last 30 days for the follow-up policy: alert load (live and retrospective alike),
 * adherence against each device's cadence and control, with the same clinical arithmetic as the API's
 * summary (libs/clinical), unrounded so the policy judges exact values.
 */
@Injectable()
export class PatientAssessment {
  private readonly plans: FollowUpPlanRepository;
  private readonly patients: PatientRepository;

  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(READING_STORE) private readonly store: ReadingStore,
  ) {
    this.plans = new FollowUpPlanRepository(dataSource);
    this.patients = new PatientRepository(dataSource);
  }

  async assess(patientId: string, now: Date): Promise<Assessment> {
    const since = new Date(now.getTime() - ASSESSED_DAYS * DAY);
    const [alerts, patient, readings, devices] = await Promise.all([
      this.plans.alertLoad(patientId, since, now),
      this.patients.find(patientId),
      this.store.query({ patientId, from: new Date(now.getTime() - localDaysFetchMs(ASSESSED_DAYS)), to: now, limit: 20_000 }),
      this.plans.activeDevices(patientId),
    ]);
    const timeZone = patient?.timeZone ?? 'UTC';
    const within = (days: number) => readings.filter((reading) => Date.parse(reading.measuredAt) > now.getTime() - days * DAY);
    const glucose = summarizeCgm(within(CGM_DAYS), CGM_DAYS);
    const homeBp = summarizeHomeBp(within(HOME_BP_WINDOW_DAYS), timeZone);
    const recent = within(ADHERENCE_DAYS);
    const adherence = devices
      .map((device) => {
        // A device paired less than 14 days ago is judged over the days it has had.
        const age = (now.getTime() - new Date(device.created_at).getTime()) / DAY;
        const days = age > 0 ? Math.min(ADHERENCE_DAYS, Math.max(1, age)) : ADHERENCE_DAYS;
        return adherencePercent(device.kind, recent.filter((reading) => reading.deviceId === device.id).length, days);
      })
      .filter((percent): percent is number => percent !== undefined);
    return {
      urgentAlerts: alerts.urgent,
      warningAlerts: alerts.warning,
      daysWithData: daysWithData(
        readings.map((reading) => reading.measuredAt),
        timeZone,
        now,
        ASSESSED_DAYS,
      ),
      ...(adherence.length ? { adherencePercent: Math.min(...adherence) } : {}),
      ...(glucose
        ? { cvPercent: glucose.cvPercent, timeInRangePercent: glucose.tir, timeBelow70Percent: glucose.tbr70, timeBelow54Percent: glucose.tbr54 }
        : {}),
      ...(homeBp ? { homeBp: { systolic: homeBp.systolic, diastolic: homeBp.diastolic } } : {}),
    };
  }
}
