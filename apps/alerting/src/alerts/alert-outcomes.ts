import { Injectable, Logger } from '@nestjs/common';
import type { RuleOutcome } from '@rpm/clinical';
import { DeliveryQueue } from '../delivery/delivery-queue';
import { FollowUpJob } from '../follow-up/follow-up.job';
import { AlertRepository } from './alert.repository';

/** Turns rule outcomes into episode changes: open or extend on firing, resolve on clear, leave on undetermined. */
@Injectable()
export class AlertOutcomes {
  private readonly logger = new Logger(AlertOutcomes.name);

  constructor(
    private readonly alerts: AlertRepository,
    private readonly deliveries: DeliveryQueue,
    private readonly followUp: FollowUpJob,
  ) {}

  /**
   * `live`, when given, holds the rules with a live episode for this patient (read before the evaluation and
   * kept up to date here): a clear outcome of any other rule has nothing to resolve, and skipping its UPDATE
   * spares one statement per rule per in-range reading. An episode another writer opens meanwhile is
   * resolved by the next clear reading.
   */
  async apply(patientId: string, outcomes: readonly RuleOutcome[], asOf: string, retrospective: boolean, live?: Set<string>): Promise<void> {
    for (const outcome of outcomes) {
      if (outcome.state === 'firing') {
        const opened = await this.alerts.recordFiring(patientId, outcome, asOf, retrospective);
        live?.add(outcome.rule.id);
        if (!opened) continue;
        this.logger.log({ message: 'alert opened', alertId: opened.id, patientId, ruleId: outcome.rule.id, retrospective: opened.retrospective });
        if (opened.retrospective) continue;
        await this.deliveries.enqueue(opened.id, 'opened');
        // An urgent alert steps the follow-up plan up at once, not at the next scheduled review.
        if (outcome.rule.severity === 'urgent') await this.followUp.reviewNow(patientId);
      } else if (outcome.state === 'clear' && (!live || live.has(outcome.rule.id))) {
        await this.alerts.resolveRecovered(patientId, outcome.rule.id, asOf);
      }
    }
  }
}
