import { Controller, Get, Header, Inject, Param, Query } from '@nestjs/common';
import { searchBundle, toFlag, toObservation, type FhirBundle, type FhirFlag, type FhirObservation } from '@rpm/clinical';
import { AlertEntity } from '@rpm/persistence';
import { isoDateTime } from '@rpm/contracts';
import { READING_STORE } from '@rpm/platform';
import type { ReadingStore } from '@rpm/timeseries';
import { DataSource, In } from 'typeorm';
import { z } from 'zod';
import { PatientRoute } from './patient-route.decorator';

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
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(READING_STORE) private readonly store: ReadingStore,
  ) {}

  @Get('Observation')
  @Header('content-type', 'application/fhir+json')
  @PatientRoute('fhir.observations')
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
  async flags(@Param('patientId', { schema: uuid }) patientId: string): Promise<FhirBundle<FhirFlag>> {
    const alerts = await this.dataSource.getRepository(AlertEntity).find({
      where: { patientId, status: In(['open', 'acknowledged', 'snoozed']) },
      order: { openedAt: 'DESC' },
    });
    return searchBundle(alerts.map((alert) => toFlag({ ...alert, openedAt: alert.openedAt.toISOString() })));
  }
}
