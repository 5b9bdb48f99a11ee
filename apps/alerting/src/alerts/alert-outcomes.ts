import { Inject, Injectable, Logger } from '@nestjs/common';
import type { RuleOutcome } from '@rpm/clinical';
import { DataSource } from 'typeorm';
import { DeliveryQueue } from '../delivery/delivery-queue';
import { FollowUpJob } from '../follow-up/follow-up.job';
import { AlertRepository, type Queryable } from './alert.repository';

/** The outcomes of one reading (or one scheduled run), as of its time. */
export interface OutcomeStep {
  outcomes: readonly RuleOutcome[];
  asOf: string;
  /** Measured long before it arrived: recorded, never paged. */
  retrospective: boolean;
}

interface Opened {
  alertId: string;
  ruleId: string;
  urgent: boolean;
  retrospective: boolean;
}

/** Turns rule outcomes into episode changes: open or extend on firing, resolve on clear, leave on undetermined. */
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
   * `live`, when given, holds the rules with a live episode for this patient (read before the evaluation and
   * kept up to date here): a clear outcome of any other rule has nothing to resolve, so a batch of in-range
   * readings costs no statement at all. An episode another writer opens meanwhile is resolved by the next
   * clear reading.
   */
  async applyAll(patientId: string, steps: readonly OutcomeStep[], live?: Set<string>): Promise<void> {
    const writes = (outcome: RuleOutcome) => outcome.state === 'firing' || (outcome.state === 'clear' && (!live || live.has(outcome.rule.id)));
    if (!steps.some((step) => step.outcomes.some(writes))) return;
    const opened = await this.dataSource.transaction(async (manager) => {
      const db: Queryable = manager;
      const opened: Opened[] = [];
      for (const { outcomes, asOf, retrospective } of steps) {
        for (const outcome of outcomes) {
          if (outcome.state === 'firing') {
            const alert = await this.alerts.recordFiring(patientId, outcome, asOf, retrospective, db);
            live?.add(outcome.rule.id);
            if (!alert) continue;
            opened.push({ alertId: alert.id, ruleId: outcome.rule.id, urgent: outcome.rule.severity === 'urgent', retrospective: alert.retrospective });
            if (!alert.retrospective) await this.deliveries.enqueue(alert.id, 'opened', db);
          } else if (outcome.state === 'clear' && (!live || live.has(outcome.rule.id))) {
            await this.alerts.resolveRecovered(patientId, outcome.rule.id, asOf, db);
          }
        }
      }
      return opened;
    });
    for (const alert of opened)
      this.logger.log({ message: 'alert opened', alertId: alert.alertId, patientId, ruleId: alert.ruleId, retrospective: alert.retrospective });
    // An urgent alert steps the follow-up plan up at once, not at the next scheduled review (it reads the committed alert).
    if (opened.some((alert) => alert.urgent && !alert.retrospective)) await this.followUp.reviewNow(patientId);
  }
}
