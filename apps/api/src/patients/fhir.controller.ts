import { Controller, Get, Header, Inject, Param, Query } from '@nestjs/common';
import {
  questionnaire,
  searchBundle,
  toFlag,
  toObservation,
  toQuestionnaireResponse,
  toScoreObservation,
  type FhirBundle,
  type FhirFlag,
  type FhirObservation,
} from '@rpm/clinical';
import { AlertRepository, QuestionnaireResponseRepository } from '@rpm/persistence';
import { fhirFlagBundleSchema, fhirObservationBundleSchema, fhirQuestionnaireResponseBundleSchema, isoDateTime } from '@rpm/contracts';
import { READING_STORE } from '@rpm/platform';
import type { ReadingStore } from '@rpm/timeseries';
import { z } from 'zod';
import { PatientRoute } from './patient-route.decorator';
import { RespondsWith } from '../http/responds-with.decorator';

const uuid = z.uuid();
const rangeSchema = z.object({
  from: isoDateTime().optional(),
  to: isoDateTime().optional(),
  limit: z.coerce.number().int().min(1).max(10_000).default(1000),
});

/** FHIR R4 export: the patient's observations (LOINC, UCUM) and open alerts as Flags, as searchset Bundles. */
@Controller('patients/:patientId/fhir')
export class FhirController {
  constructor(
    @Inject(AlertRepository) private readonly alerts: AlertRepository,
    @Inject(READING_STORE) private readonly store: ReadingStore,
    @Inject(QuestionnaireResponseRepository) private readonly responses: QuestionnaireResponseRepository,
  ) {}

  @Get('Observation')
  @Header('content-type', 'application/fhir+json')
  @PatientRoute('fhir.observations')
  @RespondsWith(200, fhirObservationBundleSchema, { contentType: 'application/fhir+json' })
  async observations(
    @Param('patientId', { schema: uuid }) patientId: string,
    @Query({ schema: rangeSchema }) query: z.infer<typeof rangeSchema>,
  ): Promise<FhirBundle<FhirObservation>> {
    const to = query.to ? new Date(query.to) : new Date();
    const from = query.from ? new Date(query.from) : new Date(to.getTime() - 30 * 86_400_000);
    const readings = await this.store.query({ patientId, from, to, limit: query.limit });
    return searchBundle(readings.map(toObservation));
  }

  @Get('Flag')
  @Header('content-type', 'application/fhir+json')
  @PatientRoute('fhir.flags')
  @RespondsWith(200, fhirFlagBundleSchema, { contentType: 'application/fhir+json' })
  async flags(@Param('patientId', { schema: uuid }) patientId: string): Promise<FhirBundle<FhirFlag>> {
    const alerts = await this.alerts.liveOfPatient(patientId);
    return searchBundle(alerts.map((alert) => toFlag({ ...alert, openedAt: alert.openedAt.toISOString() })));
  }

  /** Patient-reported outcomes: each response with its items, and the total as a LOINC-coded Observation where one exists. */
  @Get('QuestionnaireResponse')
  @Header('content-type', 'application/fhir+json')
  @PatientRoute('fhir.questionnaire_responses')
  @RespondsWith(200, fhirQuestionnaireResponseBundleSchema, { contentType: 'application/fhir+json' })
  async questionnaireResponses(@Param('patientId', { schema: uuid }) patientId: string, @Query({ schema: rangeSchema }) query: z.infer<typeof rangeSchema>) {
    const to = query.to ? new Date(query.to) : new Date();
    const from = query.from ? new Date(query.from) : new Date(to.getTime() - 365 * 86_400_000);
    const rows = await this.responses.between(patientId, from, to, query.limit);
    const entry = [];
    for (const row of rows) {
      const definition = questionnaire(row.instrument);
      if (!definition) continue;
      const stored = { ...row, patientId, answeredAt: new Date(row.answeredAt).toISOString() };
      const response = toQuestionnaireResponse(definition, stored);
      entry.push({ fullUrl: `urn:uuid:${response.id}`, resource: response, search: { mode: 'match' as const } });
      const score = toScoreObservation(definition, stored);
      if (score) entry.push({ fullUrl: `urn:uuid:${score.id}`, resource: score, search: { mode: 'include' as const } });
    }
    return { resourceType: 'Bundle' as const, type: 'searchset' as const, total: entry.filter((e) => e.search.mode === 'match').length, entry };
  }
}
