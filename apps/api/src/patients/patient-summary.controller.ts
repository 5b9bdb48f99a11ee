import { Controller, Get, Inject, Param } from '@nestjs/common';
import { HOME_BP_WINDOW_DAYS, daysWithData, localDaysFetchMs, roundCgmSummary, roundHomeBpSummary, summarizeCgm, summarizeHomeBp } from '@rpm/clinical';
import { PatientRepository } from '@rpm/persistence';
import { READING_STORE } from '@rpm/platform';
import type { ReadingStore } from '@rpm/timeseries';
import { z } from 'zod';
import { PatientRoute } from './patient-route.decorator';
import { patientSummarySchema } from '@rpm/contracts';
import { RespondsWith } from '../http/responds-with.decorator';

const uuid = z.uuid();
const DAY = 86_400_000;
const CGM_DAYS = 14;
const ADHERENCE_DAYS = 30;
/** CPT 99454 bills a 30-day period with readings on at least 16 days. */
const RPM_THRESHOLD_DAYS = 16;

/**
 * At-a-glance summaries: CGM metrics over 14 days (TIR, time below, CV, GMI; Battelino 2019), the 7-day
 * home BP mean against 135/85 (whole mmHg), and adherence as days with data of the patient's last 30 local days.
 * The arithmetic is libs/clinical's (shared with the follow-up assessment); values are rounded here, for display.
 */
@Controller('patients/:patientId/summary')
export class PatientSummaryController {
  constructor(
    @Inject(READING_STORE) private readonly store: ReadingStore,
    @Inject(PatientRepository) private readonly patients: PatientRepository,
  ) {}

  @Get()
  @PatientRoute('patients.summary')
  @RespondsWith(200, patientSummarySchema)
  async summary(@Param('patientId', { schema: uuid }) patientId: string) {
    const now = new Date();
    const end = new Date(now.getTime() + 1);
    const [patient, glucose, bp, month] = await Promise.all([
      this.patients.get(patientId),
      // A 1-minute CGM takes 20,160 readings in 14 days: the limit must not cut its coverage.
      this.store.query({ patientId, metric: 'glucose', from: new Date(now.getTime() - CGM_DAYS * DAY), to: end, limit: CGM_DAYS * 1440 + 5_000 }),
      this.store.query({ patientId, metric: 'blood_pressure', from: new Date(now.getTime() - HOME_BP_WINDOW_DAYS * DAY), to: end, limit: 10_000 }),
      this.store.query({ patientId, from: new Date(now.getTime() - localDaysFetchMs(ADHERENCE_DAYS)), to: end, limit: 50_000 }),
    ]);
    const cgm = summarizeCgm(glucose, CGM_DAYS);
    const homeBp = summarizeHomeBp(bp, patient.timeZone);
    const days = daysWithData(
      month.map((reading) => reading.measuredAt),
      patient.timeZone,
      now,
      ADHERENCE_DAYS,
    );
    return {
      glucose: cgm ? roundCgmSummary(cgm) : null,
      bloodPressure: homeBp ? roundHomeBpSummary(homeBp) : null,
      adherence: { daysWithData: days, ofDays: ADHERENCE_DAYS, meetsRpmThreshold: days >= RPM_THRESHOLD_DAYS },
    };
  }
}
