import { Inject, Injectable, Logger, Optional, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { CLOCK, systemClock, type Clock } from '@rpm/clinical';
import { PgListener } from '@rpm/platform';
import { SchedulerRegistry } from '@nestjs/schedule';
import { ALERTING_CONFIG, type AlertingConfig } from '../alerting.config';
import { DeliveryWorker } from '../delivery/delivery-worker';
import { FollowUpJob } from '../follow-up/follow-up.job';
import { PatientSignInLinks } from '../follow-up/patient-sign-in-links';
import { AlertingMetrics } from '../observability/alerting-metrics';
import { EscalationJob } from './escalation.job';
import type { JobName } from './job-failures';
import { PatientReportedAlertsJob } from './patient-reported-alerts.job';
import { ScheduledRulesJob } from './scheduled-rules.job';
import { SimulatedSchedule } from './simulated-schedule';
import { WakeableJob } from './wakeable-job';

/** The follow-up and scheduled-rules jobs' first run after start: once the app has settled, not in its start-up rush. */
const FOLLOW_UP_AT_START_MS = 5_000;

/** How often the simulated clock is looked at for due jobs (SIMULATED_CLOCK_FILE only). */
const SIMULATED_POLL_MS = 100;

/** The PostgreSQL channel the queues' triggers notify (migration 1764560000000); the payload names the job. */
export const ALERTING_WORK_CHANNEL = 'alerting_work';

/** A failed queue run is tried again this soon (the queues' former polling interval). */
const QUEUE_RETRY_MS = 2_000;

/**
 * Registers the periodic jobs with @nestjs/schedule at intervals from the configuration. A job never
 * overlaps itself; every job is safe to run on several instances at once. The end of each run is
 * recorded for /health and /metrics. On a simulated clock (SIMULATED_CLOCK_FILE, the virtual clinic) the
 * follow-up job, and the staff and patient reminders it sends, run when the simulated time crosses their
 * next slot instead (SimulatedSchedule), at that simulated time; the queues (deliveries, escalation,
 * questionnaire alerts) and the clock-triggered rules keep the wall clock.
 *
 * The queues (deliveries, escalation, patient-reported alerts, sign-in links) do not poll: they run when their
 * rows' triggers NOTIFY alerting_work with the job's name, at their next row's due time (a delivery's retry, an
 * alert's escalation time, a snooze's end), and at the latest JOBS_FALLBACK_POLL_SECONDS after their last run in
 * case a notification was lost; and all of them once LISTEN is up again after a lost connection.
 */
@Injectable()
export class JobScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(JobScheduler.name);
  private readonly running = new Set<JobName>();
  private readonly lastSuccess = new Map<JobName, Date>();
  private readonly queues = new Map<JobName, WakeableJob>();
  private listener?: PgListener;

  constructor(
    private readonly registry: SchedulerRegistry,
    @Inject(ALERTING_CONFIG) private readonly config: AlertingConfig,
    private readonly metrics: AlertingMetrics,
    private readonly deliveries: DeliveryWorker,
    private readonly escalation: EscalationJob,
    private readonly scheduledRules: ScheduledRulesJob,
    private readonly followUp: FollowUpJob,
    private readonly patientReported: PatientReportedAlertsJob,
    // Null without PATIENT_LINK_SECRET: no links go to patients.
    @Optional() @Inject(PatientSignInLinks) private readonly signInLinks: PatientSignInLinks | null = null,
    @Optional() @Inject(CLOCK) private readonly clock: Clock = systemClock,
  ) {
    this.clock ??= systemClock;
  }

  async onApplicationBootstrap(): Promise<void> {
    this.queue(
      'deliveries',
      () => this.deliveries.runOnce(),
      () => this.deliveries.nextDueAt(),
      100,
    );
    // A burst of alerts notifies once per alert; escalation only needs its timer moved, so at most a run a second.
    this.queue(
      'escalation',
      () => this.escalation.runOnce(),
      () => this.escalation.nextDueAt(),
      1000,
    );
    this.every('scheduled-rules', this.config.scheduledRulesEveryMs, () => this.scheduledRules.runOnce());
    // Once soon after start too (not on a simulated clock, whose runs upload days that the wall clock would judge
    // stale): a restart does not leave stale data unflagged for a whole interval, and the patients' windows
    // (ScheduledWindows) are read before readings flow, not in the first busy minute.
    if (!this.config.simulatedClockFile)
      this.registry.addTimeout(
        'scheduled-rules-at-start',
        setTimeout(() => this.start('scheduled-rules', () => this.scheduledRules.runOnce()), FOLLOW_UP_AT_START_MS),
      );
    if (this.config.simulatedClockFile) this.followSimulatedClock();
    else {
      this.every('follow-up', this.config.followUpEveryMs, () => this.followUp.runOnce());
      // Once soon after start too: with hourly runs, a restart (or a fresh demo) would otherwise show stale
      // statuses (a patient days past due as on schedule) for up to an hour.
      this.registry.addTimeout(
        'follow-up-at-start',
        setTimeout(() => this.start('follow-up', () => this.followUp.runOnce()), FOLLOW_UP_AT_START_MS),
      );
    }
    this.queue('patient-reported-alerts', () => this.patientReported.runOnce(), undefined, 100);
    const signInLinks = this.signInLinks;
    if (signInLinks)
      this.queue(
        'patient-sign-in-links',
        () => signInLinks.runOnce(),
        () => signInLinks.nextDueAt(),
        100,
      );
    this.listener = new PgListener({
      connectionString: this.config.databaseUrl,
      channel: ALERTING_WORK_CHANNEL,
      logger: this.logger,
      onNotification: (job) => this.queues.get(job as JobName)?.wake(),
      // Also the first time: what was queued before this instance started.
      onListening: () => {
        for (const queue of this.queues.values()) queue.wake();
      },
    });
    // start() never throws; until LISTEN is up the queues still run on their fallback poll and due times.
    await this.listener.start();
    for (const queue of this.queues.values()) queue.wake();
  }

  async onApplicationShutdown(): Promise<void> {
    for (const queue of this.queues.values()) queue.stop();
    await this.listener?.stop();
    for (const name of this.registry.getIntervals()) this.registry.deleteInterval(name);
    for (const name of this.registry.getTimeouts()) this.registry.deleteTimeout(name);
  }

  /** When each job last finished a run (its per-patient failures are counted apart); absent: not yet. */
  lastSuccessfulRuns(): Record<string, string | null> {
    const jobs: JobName[] = ['deliveries', 'escalation', 'scheduled-rules', 'follow-up'];
    return Object.fromEntries(jobs.map((job) => [job, this.lastSuccess.get(job)?.toISOString() ?? null]));
  }

  private followSimulatedClock(): void {
    const schedule = new SimulatedSchedule(this.clock, [{ name: 'follow-up', everyMs: this.config.followUpEveryMs }]);
    const poll = () => schedule.tick((_job, now) => this.start('follow-up', () => this.followUp.runOnce(now)));
    this.registry.addInterval('follow-up', setInterval(poll, SIMULATED_POLL_MS));
  }

  private queue(name: JobName, run: () => Promise<unknown>, nextDueAt: (() => Promise<Date | undefined>) | undefined, minGapMs: number): void {
    this.queues.set(
      name,
      new WakeableJob({
        run,
        nextDueAt,
        fallbackMs: this.config.jobsFallbackPollMs,
        minGapMs,
        retryMs: QUEUE_RETRY_MS,
        onSuccess: () => this.succeeded(name),
        onFailure: (error) => this.failed(name, error),
      }),
    );
  }

  private succeeded(name: JobName): void {
    const now = new Date();
    this.lastSuccess.set(name, now);
    this.metrics.jobLastSuccess.set({ job: name }, now.getTime() / 1000);
  }

  private failed(name: JobName, error: Error): void {
    this.metrics.jobFailures.inc({ job: name });
    this.logger.error({ message: `job ${name} failed; it runs again on its next tick`, error: error.message });
  }

  private every(name: JobName, ms: number, job: () => Promise<unknown>): void {
    this.registry.addInterval(
      name,
      setInterval(() => this.start(name, job), ms),
    );
  }

  /** Starts a run unless the previous one is still going (answers whether it started). */
  private start(name: JobName, job: () => Promise<unknown>): boolean {
    if (this.running.has(name)) return false;
    this.running.add(name);
    job()
      .then(() => this.succeeded(name))
      .catch((error: Error) => this.failed(name, error))
      .finally(() => this.running.delete(name));
    return true;
  }
}
