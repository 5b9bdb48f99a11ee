import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { AGP_DEFAULT_DAYS, HOME_BP_REPORT_DEFAULT_DAYS, buildAgpReport, buildHomeBpReport, roundAgpReport, roundHomeBpReport } from '@rpm/clinical';
import { agpReportSchema, homeBpReportSchema, reportQuerySchema, type ReportQuery } from '@rpm/contracts';
import { PatientRepository } from '@rpm/persistence';
import { READING_STORE } from '@rpm/platform';
import type { ReadingStore } from '@rpm/timeseries';
import { z } from 'zod';
import { RespondsWith } from '../http/responds-with.decorator';
import { PatientRoute } from './patient-route.decorator';

const uuid = z.uuid();
const DAY = 86_400_000;
/** 90 days of a CGM read every minute (Libre 3) is 129,600 readings. */
const READING_LIMIT = 130_000;

function period(query: ReportQuery, defaultDays: number): { from: Date; to: Date } {
  const to = query.to ? new Date(query.to) : new Date();
  const from = query.from ? new Date(query.from) : new Date(to.getTime() - defaultDays * DAY);
  return { from, to };
}

/**
 * Printable reports for the clinician: the Ambulatory Glucose Profile (Battelino 2019 consensus) and the home
 * blood-pressure report (ESH 2023). The clinical arithmetic is libs/clinical's; values are rounded here, for display.
 */
@Controller('patients/:patientId/reports')
export class PatientReportsController {
  constructor(
    @Inject(READING_STORE) private readonly store: ReadingStore,
    @Inject(PatientRepository) private readonly patients: PatientRepository,
  ) {}

  @Get('agp')
  @PatientRoute('patients.report_agp')
  @RespondsWith(200, agpReportSchema, { description: 'The AGP report of the period (default the last 14 days).' })
  async agp(@Param('patientId', { schema: uuid }) patientId: string, @Query({ schema: reportQuerySchema }) query: ReportQuery) {
    const { from, to } = period(query, AGP_DEFAULT_DAYS);
    const [patient, readings] = await Promise.all([
      this.patients.get(patientId),
      this.store.query({ patientId, metric: 'glucose', from, to, limit: READING_LIMIT }),
    ]);
    return roundAgpReport(buildAgpReport(readings, { from, to, timeZone: patient.timeZone }));
  }

  @Get('home-bp')
  @PatientRoute('patients.report_home_bp')
  @RespondsWith(200, homeBpReportSchema, { description: 'The home blood-pressure report of the period (default the last 7 days).' })
  async homeBp(@Param('patientId', { schema: uuid }) patientId: string, @Query({ schema: reportQuerySchema }) query: ReportQuery) {
    const { from, to } = period(query, HOME_BP_REPORT_DEFAULT_DAYS);
    const [patient, readings] = await Promise.all([
      this.patients.get(patientId),
      this.store.query({ patientId, metric: 'blood_pressure', from, to, limit: READING_LIMIT }),
    ]);
    return roundHomeBpReport(buildHomeBpReport(readings, { from, to, timeZone: patient.timeZone }));
  }
}
