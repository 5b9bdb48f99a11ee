import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import {
  aggregateQuerySchema,
  aggregateResponseSchema,
  timelineQuerySchema,
  timelineResponseSchema,
  type AggregateQueryParams,
  type TimelineQuery,
} from '@rpm/contracts';
import { READING_STORE } from '@rpm/platform';
import type { ReadingBucket, ReadingStore } from '@rpm/timeseries';
import { AlertRepository, QuestionnaireResponseRepository, VisitRepository } from '@rpm/persistence';
import { z } from 'zod';
import { PatientRoute } from './patient-route.decorator';
import { RespondsWith } from '../http/responds-with.decorator';

const uuid = z.uuid();
const DAY = 86_400_000;
const TARGET_BUCKETS = 500;

type TimelineEntry =
  | { type: 'reading'; at: string; metric: string; values: Record<string, number>; unit: string; deviceId: string }
  | { type: 'visit'; at: string; id: string; visitType: string; outcome: string | null }
  | { type: 'alert'; at: string; id: string; ruleId: string; severity: string; status: string; title: string }
  | { type: 'questionnaire'; at: string; id: string; instrument: string; total: number; band: string };

/** Streams for charts: downsampled readings for long ranges, and readings, visits, alerts and questionnaire responses on one timeline. */
@Controller('patients/:patientId')
export class PatientStreamsController {
  constructor(
    @Inject(VisitRepository) private readonly visits: VisitRepository,
    @Inject(AlertRepository) private readonly alerts: AlertRepository,
    @Inject(READING_STORE) private readonly store: ReadingStore,
    @Inject(QuestionnaireResponseRepository) private readonly questionnaires: QuestionnaireResponseRepository,
  ) {}

  @Get('readings/aggregate')
  @PatientRoute('patients.readings_aggregate')
  @RespondsWith(200, aggregateResponseSchema)
  async aggregate(
    @Param('patientId', { schema: uuid }) patientId: string,
    @Query({ schema: aggregateQuerySchema }) query: AggregateQueryParams,
  ): Promise<{ bucketMinutes: number; buckets: ReadingBucket[] }> {
    const to = query.to ? new Date(query.to) : new Date();
    const from = query.from ? new Date(query.from) : new Date(to.getTime() - 30 * DAY);
    const bucketMinutes = query.bucketMinutes ?? Math.max(5, Math.ceil((to.getTime() - from.getTime()) / 60_000 / TARGET_BUCKETS));
    return { bucketMinutes, buckets: await this.store.aggregate({ patientId, metric: query.metric, from, to, bucketMinutes }) };
  }

  @Get('timeline')
  @PatientRoute('patients.timeline')
  @RespondsWith(200, timelineResponseSchema)
  async timeline(
    @Param('patientId', { schema: uuid }) patientId: string,
    @Query({ schema: timelineQuerySchema }) query: TimelineQuery,
  ): Promise<{ entries: TimelineEntry[] }> {
    const to = query.to ? new Date(query.to) : new Date();
    const from = query.from ? new Date(query.from) : new Date(to.getTime() - 7 * DAY);
    const [readings, visits, alerts, responses] = await Promise.all([
      this.store.query({ patientId, from, to, limit: query.limit }),
      this.visits.between(patientId, from, to),
      this.alerts.openedBetween(patientId, from, to),
      this.questionnaires.between(patientId, from, to, query.limit),
    ]);
    const entries: TimelineEntry[] = [
      ...readings.map((reading) => ({
        type: 'reading' as const,
        at: reading.measuredAt,
        metric: reading.metric,
        values: reading.values,
        unit: reading.unit,
        deviceId: reading.deviceId,
      })),
      ...visits.map((visit) => ({
        type: 'visit' as const,
        at: visit.occurred_at.toISOString(),
        id: visit.id,
        visitType: visit.type,
        outcome: visit.outcome,
      })),
      ...alerts.map((alert) => ({
        type: 'alert' as const,
        at: alert.opened_at.toISOString(),
        id: alert.id,
        ruleId: alert.rule_id,
        severity: alert.severity,
        status: alert.status,
        title: alert.title,
      })),
      ...responses.map((response) => ({
        type: 'questionnaire' as const,
        at: new Date(response.answeredAt).toISOString(),
        id: response.id,
        instrument: response.instrument,
        total: response.total,
        band: response.band,
      })),
    ];
    entries.sort((a, b) => a.at.localeCompare(b.at));
    return { entries: entries.slice(-query.limit) };
  }
}
