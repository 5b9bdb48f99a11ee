import { Inject, Injectable, Logger } from '@nestjs/common';
import { episodeOf, type RuleOutcome, type Severity } from '@rpm/clinical';
import { AlertRepository, type AlertReadingRef, type EpisodeFiring, type Queryable } from '@rpm/persistence';
import { DataSource } from 'typeorm';
import { DeliveryQueue } from '../delivery/delivery-queue';
import { FollowUpJob } from '../follow-up/follow-up.job';

/** The outcomes of one reading (or one scheduled run), as of its time. */
export interface OutcomeStep {
  outcomes: readonly RuleOutcome[];
  asOf: string;
  /** Measured long before it arrived: recorded, never paged. */
  retrospective: boolean;
}

interface Changed {
  kind: 'opened' | 'raised';
  alertId: string;
  ruleId: string;
  episode: string;
  severity: string;
  retrospective: boolean;
}

const SEVERITY_RANK: Record<Severity, number> = { info: 0, warning: 1, urgent: 2 };

const readingRef = (reading: RuleOutcome['evidence'][number]): AlertReadingRef => ({
  deviceId: reading.deviceId,
  metric: reading.metric,
  measuredAt: reading.measuredAt,
  seq: reading.seq,
  values: reading.values,
  unit: reading.unit,
});

/** A firing outcome as the episode store records it. */
export const firingOf = (outcome: RuleOutcome, asOf: string, retrospective: boolean): EpisodeFiring => ({
  episode: episodeOf(outcome.rule),
  ruleId: outcome.rule.id,
  ruleVersion: outcome.rule.version,
  rule: outcome.rule,
  severity: outcome.rule.severity,
  title: outcome.rule.title,
  reason: outcome.reason ?? outcome.rule.title,
  readings: outcome.evidence.map(readingRef),
  openedAt: outcome.since ?? asOf,
  asOf,
  retrospective,
});

/** One step's outcomes by episode, in the order the rules came. */
function byEpisode(outcomes: readonly RuleOutcome[]): Map<string, RuleOutcome[]> {
  const episodes = new Map<string, RuleOutcome[]>();
  for (const outcome of outcomes) {
    const episode = episodeOf(outcome.rule);
    episodes.set(episode, [...(episodes.get(episode) ?? []), outcome]);
  }
  return episodes;
}

/**
 * Turns rule outcomes into episode changes. Rules that describe one condition share an episode (episodeOf):
 * any firing rule opens the episode's alert or extends it, and a more severe one raises it (delivered again
 * as a raise); the episode resolves once every rule of it judged at that step is clear, and is left as it is
 * while any is undetermined (not enough data, or inside its hysteresis band).
 */
@Injectable()
export class AlertOutcomes {
  private readonly logger = new Logger(AlertOutcomes.name);

  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    private readonly alerts: AlertRepository,
    private readonly deliveries: DeliveryQueue,
    private readonly followUp: FollowUpJob,
  ) {}

  async apply(patientId: string, outcomes: readonly RuleOutcome[], asOf: string, retrospective: boolean, live?: Set<string>): Promise<void> {
    await this.applyAll(patientId, [{ outcomes, asOf, retrospective }], live);
  }

  /**
   * Applies one patient's steps in order, in one transaction: what a batch of readings did is seen whole, so
   * a backfill that opens and ends an old episode shows it resolved, never open for a moment (nor paged).
   * `live`, when given, holds the episodes with a live alert for this patient (read before the evaluation and
   * kept up to date here): a clear outcome of any other episode has nothing to resolve, so a batch of in-range
   * readings costs no statement at all. An episode another writer opens meanwhile is resolved by the next
   * clear reading.
   */
  async applyAll(patientId: string, steps: readonly OutcomeStep[], live?: Set<string>): Promise<void> {
    const writes = (outcome: RuleOutcome) => outcome.state === 'firing' || (outcome.state === 'clear' && (!live || live.has(episodeOf(outcome.rule))));
    if (!steps.some((step) => step.outcomes.some(writes))) return;
    const changed = await this.dataSource.transaction(async (manager) => {
      const db: Queryable = manager;
      const changed: Changed[] = [];
      for (const { outcomes, asOf, retrospective } of steps) {
        for (const [episode, episodeOutcomes] of byEpisode(outcomes)) {
          const firing = episodeOutcomes
            .filter((outcome) => outcome.state === 'firing')
            .sort((a, b) => SEVERITY_RANK[b.rule.severity] - SEVERITY_RANK[a.rule.severity]);
          if (firing.length === 0) {
            const recovered = episodeOutcomes.every((outcome) => outcome.state === 'clear');
            if (recovered && (!live || live.has(episode))) await this.alerts.resolveRecovered(patientId, episode, asOf, db);
            continue;
          }
          for (const outcome of firing) {
            const change = await this.alerts.recordFiring(patientId, firingOf(outcome, asOf, retrospective), db);
            live?.add(episode);
            if (!change) continue;
            const { severity, id: ruleId } = outcome.rule;
            changed.push({ kind: change.kind, alertId: change.alertId, ruleId, episode, severity, retrospective: change.retrospective });
            if (change.retrospective) continue;
            await this.deliveries.enqueue(
              change.alertId,
              change.kind === 'opened' ? 'opened' : severity === 'urgent' ? 'raised_to_urgent' : 'raised_to_warning',
              db,
            );
          }
        }
      }
      return changed;
    });
    for (const alert of changed)
      this.logger.log({
        message: alert.kind === 'opened' ? 'alert opened' : 'alert raised',
        alertId: alert.alertId,
        patientId,
        ruleId: alert.ruleId,
        episode: alert.episode,
        severity: alert.severity,
        retrospective: alert.retrospective,
      });
    // An urgent alert steps the follow-up plan up at once, not at the next scheduled review (it reads the committed alert).
    if (changed.some((alert) => alert.severity === 'urgent' && !alert.retrospective)) await this.followUp.reviewNow(patientId);
  }
}
