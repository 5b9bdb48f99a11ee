import { Injectable } from '@nestjs/common';
import { counter, createMetricsRegistry, gauge, scrapedGauge } from '@rpm/platform';

/** Prometheus metrics of one alerting process, served on GET /metrics. No label carries a patient, device or alert. */
@Injectable()
export class AlertingMetrics {
  readonly registry = createMetricsRegistry('rpm_alerting_');

  readonly consumerConnected = scrapedGauge(
    this.registry,
    'rpm_alerting_consumer_connected',
    '1 while the accepted-readings consumer is connected to the broker',
  );
  readonly eventsConsumed = counter(this.registry, 'rpm_alerting_events_consumed_total', 'Accepted-readings events evaluated and acknowledged');
  readonly lastEventAgeSeconds = scrapedGauge(
    this.registry,
    'rpm_alerting_last_event_age_seconds',
    'Seconds since the last accepted-readings event was evaluated (-1: none since start)',
  );
  readonly jobLastSuccess = gauge(
    this.registry,
    'rpm_alerting_job_last_success_timestamp_seconds',
    'Unix time at which each periodic job last finished a run',
    ['job'],
  );
  readonly jobFailures = counter(
    this.registry,
    'rpm_alerting_job_failures_total',
    'Failures in periodic jobs: one per patient or row that failed (the job goes on), or per run that failed as a whole',
    ['job'],
  );
  readonly evaluationFailures = counter(
    this.registry,
    'rpm_alerting_evaluation_failures_total',
    "Patients whose readings could not be judged as configured, by reason; the patient's other rules and every other patient go on",
    ['reason'],
  );
  readonly readingsEvaluated = counter(this.registry, 'rpm_alerting_readings_evaluated_total', 'Readings whose rules alerting evaluated');
  readonly evaluationLagSeconds = scrapedGauge(
    this.registry,
    'rpm_alerting_evaluation_lag_seconds',
    'Age of the oldest reading received but not yet evaluated (0 when none waits)',
  );
  readonly partitionsOwned = scrapedGauge(this.registry, 'rpm_alerting_partitions_owned', 'Partitions of the reading log this instance owns (EVENT_LOG_URL)');
  readonly logUnackedEvents = scrapedGauge(
    this.registry,
    'rpm_alerting_log_unacked_events',
    "Events in this instance's partitions of the reading log not yet acknowledged: the stream's last sequence minus the acknowledged (EVENT_LOG_URL)",
  );
  readonly deliveryBacklog = scrapedGauge(this.registry, 'rpm_alerting_delivery_backlog', 'Alert deliveries pending (not yet delivered nor given up)');
}
