import { Injectable } from '@nestjs/common';
import { counter, createMetricsRegistry, gauge, scrapedGauge } from '@rpm/platform';
import { Histogram } from 'prom-client';

/** Prometheus metrics of one gateway process, served on GET /metrics. No label carries a device or patient. */
@Injectable()
export class GatewayMetrics {
  readonly registry = createMetricsRegistry('rpm_gateway_');

  readonly connectedDevices = gauge(this.registry, 'rpm_gateway_connected_devices', 'Devices connected to the embedded broker');
  readonly readingsAccepted = counter(this.registry, 'rpm_gateway_readings_accepted_total', 'Readings validated and durably spooled (acknowledged)');
  readonly readingsRejected = counter(this.registry, 'rpm_gateway_readings_rejected_total', 'Readings refused, by machine-readable reason', ['reason']);
  readonly connectionsRefused = counter(this.registry, 'rpm_gateway_connections_refused_total', 'Connections closed by policy, by reason', ['reason']);
  readonly storeWriteSeconds = new Histogram({
    name: 'rpm_gateway_store_write_seconds',
    help: 'Time to write one batch of readings to the time-series store',
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    registers: [this.registry],
  });
  readonly storeWriteFailures = counter(
    this.registry,
    'rpm_gateway_store_write_failures_total',
    'Batch writes to the time-series store that failed because it was unavailable (retried)',
  );
  readonly readingsStored = counter(this.registry, 'rpm_gateway_readings_stored_total', 'Readings drained from the spool into the store');
  readonly readingsQuarantined = counter(
    this.registry,
    'rpm_gateway_readings_quarantined_total',
    'Acknowledged readings the store refused for their content, set aside in quarantined_readings (npm run quarantine)',
  );
  // Read from the spool and the alarm at scrape time (SpoolAlarm sets their sources).
  readonly spoolPendingReadings = scrapedGauge(this.registry, 'rpm_gateway_spool_pending_readings', 'Readings acknowledged but not yet in the store');
  readonly spoolPendingBytes = scrapedGauge(this.registry, 'rpm_gateway_spool_pending_bytes', 'Bytes of readings in the spool');
  readonly spoolCapacityBytes = scrapedGauge(this.registry, 'rpm_gateway_spool_capacity_bytes', 'The spool bound (SPOOL_MAX_MB)');
  readonly spoolOldestAgeSeconds = scrapedGauge(this.registry, 'rpm_gateway_spool_oldest_age_seconds', 'Age of the oldest reading not yet in the store');
  readonly spoolAlarm = scrapedGauge(
    this.registry,
    'rpm_gateway_spool_alarm',
    '1 while the spool is past its alarm level (SPOOL_ALARM_PERCENT) or the drain has stalled (DRAIN_STALL_SECONDS): the store is not keeping up',
  );
}
