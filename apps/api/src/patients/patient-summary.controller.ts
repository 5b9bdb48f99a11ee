import { Controller, Get, Inject, Param } from '@nestjs/common';
import { summarizeGlucose } from '@rpm/clinical';
import { READING_STORE } from '@rpm/platform';
import type { ReadingStore } from '@rpm/timeseries';
import { z } from 'zod';
import { PatientRoute } from './patient-route.decorator';

const uuid = z.uuid();
const DAY = 86_400_000;

/**
 * At-a-glance summaries: CGM metrics over 14 days (TIR, time below, CV, GMI; Battelino 2019), the 7-day
 * home BP mean against 135/85, and adherence as days with data of the last 30 (CPT 99454 counts 16).
 */
@Controller('patients/:patientId/summary')
export class PatientSummaryController {
  constructor(
    @Inject(READING_STORE) private readonly store: ReadingStore,
  ) {}

  @Get()
  @PatientRoute('patients.summary')
  async summary(@Param('patientId', { schema: uuid }) patientId: string,) {
    const now = Date.now();
    const [glucose, bp, month] = await Promise.all([
      this.store.query({ patientId, metric: 'glucose', from: new Date(now - 14 * DAY), to: new Date(now + 1), limit: 10_000 }),
      this.store.query({ patientId, metric: 'blood_pressure', from: new Date(now - 7 * DAY), to: new Date(now + 1), limit: 10_000 }),
      this.store.query({ patientId, from: new Date(now - 30 * DAY), to: new Date(now + 1), limit: 50_000 }),
    ]);
    const cgm = summarizeGlucose(glucose.filter((reading) => reading.context.source === 'cgm'));
    const mean = (field: string) => Math.round((bp.reduce((sum, reading) => sum + reading.values[field], 0) / bp.length) * 10) / 10;
    const homeBp = bp.length ? { systolic: mean('systolic'), diastolic: mean('diastolic'), readings: bp.length } : null;
    const daysWithData = new Set(month.map((reading) => reading.measuredAt.slice(0, 10))).size;
    return {
      glucose: cgm ? { ...cgm, coveragePercent: Math.round((cgm.readings / (14 * 288)) * 1000) / 10 } : null,
      bloodPressure: homeBp ? { ...homeBp, controlled: homeBp.systolic < 135 && homeBp.diastolic < 85 } : null,
      adherence: { daysWithData, ofDays: 30, meetsRpmThreshold: daysWithData >= 16 },
    };
  }
}
