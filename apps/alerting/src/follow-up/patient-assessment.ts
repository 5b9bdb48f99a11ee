import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  HOME_BP_WINDOW_DAYS,
  adherencePercent,
  daysWithData,
  localDaysFetchMs,
  summarizeCgm,
  summarizeHomeBp,
  type Assessment,
  type DeviceUploads,
} from '@rpm/clinical';
import { METRICS } from '@rpm/contracts';
import { FollowUpPlanRepository, PatientRepository } from '@rpm/persistence';
import { READING_STORE } from '@rpm/platform';
import type { ReadingStore } from '@rpm/timeseries';
import { DataSource } from 'typeorm';

const DAY = 86_400_000;
const ASSESSED_DAYS = 30;
const CGM_DAYS = 14;
/** Adherence is judged over the last 14 days (the CGM summary's window), against each device's own cadence. */
const ADHERENCE_DAYS = 14;
/** The readings read one by one: the CGM window, which also covers adherence (14 days) and home BP (7 days). */
const RECENT_DAYS = Math.max(CGM_DAYS, ADHERENCE_DAYS, HOME_BP_WINDOW_DAYS);
/**
 * The densest device sends about three readings a minute (a wearable's heart rate, SpO2 and steps each
 * minute; a 1-minute CGM sends one), so the fetch is bounded by the window, per active device, not by a
 * fixed count that a 1-minute CGM's fortnight (20,160 readings) would already fill.
 */
const READINGS_PER_DEVICE_MINUTE = 3;
/**
 * Older days only count towards days with data: 15-minute buckets say which local day had data without
 * reading every reading (every UTC offset in use is a multiple of 15 minutes, so a bucket never spans two
 * local days).
 */
const PRESENCE_BUCKET_MINUTES = 15;
/** The metrics each kind of device sends: where to look for its last reading older than the fortnight. */
const KIND_METRICS: Record<string, readonly string[]> = {
  cgm: ['glucose'],
  glucose_meter: ['glucose'],
  blood_pressure_cuff: ['blood_pressure'],
  pulse_oximeter: ['spo2', 'heart_rate'],
  wearable: ['heart_rate', 'spo2', 'steps'],
};

/**
 * Gathers a patient's last 30 days for the follow-up policy: alert load (live and retrospective alike),
 * adherence against each device's cadence and control, with the same clinical arithmetic as the API's
 * summary (libs/clinical), unrounded so the policy judges exact values.
 */
@Injectable()
export class PatientAssessment {
  private readonly logger = new Logger(PatientAssessment.name);
  private readonly plans: FollowUpPlanRepository;
  private readonly patients: PatientRepository;

  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(READING_STORE) private readonly store: ReadingStore,
  ) {
    this.plans = new FollowUpPlanRepository(dataSource);
    this.patients = new PatientRepository(dataSource);
  }

  async assess(patientId: string, now: Date): Promise<Assessment & { uploads: DeviceUploads[] }> {
    const since = new Date(now.getTime() - ASSESSED_DAYS * DAY);
    const recentFrom = new Date(now.getTime() - RECENT_DAYS * DAY);
    const bucket = PRESENCE_BUCKET_MINUTES * 60_000;
    const olderFrom = new Date(Math.floor((now.getTime() - localDaysFetchMs(ASSESSED_DAYS)) / bucket) * bucket);
    const devices = await this.plans.activeDevices(patientId);
    const limit = Math.max(1, devices.length) * RECENT_DAYS * 1440 * READINGS_PER_DEVICE_MINUTE;
    const [alerts, patient, readings, older] = await Promise.all([
      this.plans.alertLoad(patientId, since, now),
      this.patients.find(patientId),
      this.store.query({ patientId, from: recentFrom, to: now, limit }),
      Promise.all(
        METRICS.map((metric) => this.store.aggregate({ patientId, metric, from: olderFrom, to: recentFrom, bucketMinutes: PRESENCE_BUCKET_MINUTES })),
      ),
    ]);
    if (readings.length >= limit) this.logger.warn({ message: 'assessment window cut by the reading limit', patientId, limit });
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
    // Each device's uploads, for the no-data check (detectSilence): its readings of the fortnight, and its last
    // reading, from the older 15-minute buckets of its kind's metrics when it sent nothing in the fortnight.
    const uploads = devices.map((device): DeviceUploads => {
      const times = readings.filter((reading) => reading.deviceId === device.id).map((reading) => new Date(reading.measuredAt));
      const olderLast = METRICS.flatMap((metric, index) => ((KIND_METRICS[device.kind] ?? []).includes(metric) ? older[index] : []))
        .map((bucketed) => Date.parse(bucketed.bucketStart))
        .reduce((latest, at) => Math.max(latest, at), -Infinity);
      const last = times.length ? times[times.length - 1] : Number.isFinite(olderLast) ? new Date(olderLast) : null;
      return { deviceId: device.id, kind: device.kind, pairedAt: new Date(device.created_at), readingTimes: times, lastReadingAt: last };
    });
    return {
      uploads,
      urgentAlerts: alerts.urgent,
      warningAlerts: alerts.warning,
      daysWithData: daysWithData(
        [...older.flat().map((bucketed) => bucketed.bucketStart), ...readings.map((reading) => reading.measuredAt)],
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
