import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { ALERTING_CONFIG, type AlertingConfig } from '../alerting.config';
import { AlertingMetrics } from '../observability/alerting-metrics';

/** How often the lag is checked against the alarm threshold. */
const CHECK_EVERY_MS = 5_000;

/**
 * How far behind alerting's evaluation is: the age of the oldest reading received but not yet evaluated.
 * Exposed as rpm_alerting_evaluation_lag_seconds, with rpm_alerting_readings_evaluated_total beside it; an
 * operator alarm is logged when the lag passes ALERTING_LAG_ALARM_SECONDS (a minute by default), and again
 * when it recovers; readiness fails meanwhile. The consumer tells it where the pending readings are.
 */
@Injectable()
export class EvaluationLag implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('EvaluationLag');
  private source: () => number = () => 0;
  private alarming = false;
  private total = 0;
  private reported = 0;
  private timer?: NodeJS.Timeout;

  constructor(
    @Inject(ALERTING_CONFIG) private readonly config: AlertingConfig,
    private readonly metrics: AlertingMetrics,
  ) {
    metrics.evaluationLagSeconds.setSource(() => this.oldestPendingAgeMs() / 1000);
  }

  /** Where the pending readings are: a function giving the age of the oldest, in ms. */
  track(oldestPendingAgeMs: () => number): void {
    this.source = oldestPendingAgeMs;
  }

  oldestPendingAgeMs(): number {
    return this.source();
  }

  /** Set while the lag is past the alarm threshold: readiness reports it. */
  behind(): { reason: string; lagSeconds: number } | undefined {
    const lagMs = this.oldestPendingAgeMs();
    if (lagMs <= this.config.lagAlarmMs) return undefined;
    const lagSeconds = Math.round(lagMs / 1000);
    return { reason: `evaluation lag ${lagSeconds} s is past ALERTING_LAG_ALARM_SECONDS (${this.config.lagAlarmMs / 1000} s)`, lagSeconds };
  }

  countEvaluated(count: number): void {
    this.metrics.readingsEvaluated.inc(count);
    this.total += count;
  }

  onModuleInit(): void {
    this.timer = setInterval(() => this.check(), CHECK_EVERY_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** Logs the alarm when the lag crosses the threshold, and the recovery; public so a test can drive it without waiting. */
  check(): void {
    const lagMs = this.oldestPendingAgeMs();
    const over = lagMs > this.config.lagAlarmMs;
    if (over && !this.alarming) {
      this.logger.error({
        message: 'ALARM alerting is behind: readings wait for evaluation',
        lagSeconds: Math.round(lagMs / 1000),
        alarmAfterSeconds: this.config.lagAlarmMs / 1000,
      });
    } else if (!over && this.alarming) {
      this.logger.warn({ message: 'alerting has caught up', lagSeconds: Math.round(lagMs / 1000) });
    }
    this.alarming = over;
    if (this.total !== this.reported) {
      this.reported = this.total;
      this.logger.log({ message: 'readings evaluated', total: this.total, lagSeconds: Math.round(lagMs / 100) / 10 });
    }
  }
}
