import { Injectable } from '@nestjs/common';
import { createMetricsRegistry, scrapedGauge } from '@rpm/platform';
import { Counter, Gauge } from 'prom-client';

/** Prometheus metrics of one alerting process, served on GET /metrics. No label carries a patient, device or alert. */
@Injectable()
export class AlertingMetrics {
  readonly registry = createMetricsRegistry('rpm_alerting_');

  readonly consumerConnected = scrapedGauge(
    this.registry,
    'rpm_alerting_consumer_connected',
    '1 while the accepted-readings consumer is connected to the broker',
  );
  readonly eventsConsumed = new Counter({
    name: 'rpm_alerting_events_consumed_total',
    help: 'Accepted-readings events evaluated and acknowledged',
    registers: [this.registry],
  });
  readonly lastEventAgeSeconds = scrapedGauge(
    this.registry,
    'rpm_alerting_last_event_age_seconds',
    'Seconds since the last accepted-readings event was evaluated (-1: none since start)',
  );
  readonly jobLastSuccess = new Gauge({
    name: 'rpm_alerting_job_last_success_timestamp_seconds',
    help: 'Unix time at which each periodic job last finished a run',
    labelNames: ['job'],
    registers: [this.registry],
  });
  readonly jobFailures = new Counter({
    name: 'rpm_alerting_job_failures_total',
    help: 'Failures in periodic jobs: one per patient or row that failed (the job goes on), or per run that failed as a whole',
    labelNames: ['job'],
    registers: [this.registry],
  });
  readonly evaluationFailures = new Counter({
    name: 'rpm_alerting_evaluation_failures_total',
    help: "Patients whose readings could not be judged as configured, by reason; the patient's other rules and every other patient go on",
    labelNames: ['reason'],
    registers: [this.registry],
  });
  readonly readingsEvaluated = new Counter({
    name: 'rpm_alerting_readings_evaluated_total',
    help: 'Readings whose rules alerting evaluated',
    registers: [this.registry],
  });
  readonly evaluationLagSeconds = scrapedGauge(
    this.registry,
    'rpm_alerting_evaluation_lag_seconds',
    'Age of the oldest reading received but not yet evaluated (0 when none waits)',
  );
  readonly deliveryBacklog = scrapedGauge(this.registry, 'rpm_alerting_delivery_backlog', 'Alert deliveries pending (not yet delivered nor given up)');
}
