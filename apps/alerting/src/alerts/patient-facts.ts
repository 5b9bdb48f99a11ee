import { Inject, Injectable } from '@nestjs/common';
import { DEFAULT_RULES, effectiveRules, historyMinutes, type RuleDefinition, type RuleOverride } from '@rpm/clinical';
import type { NormalizedReading } from '@rpm/contracts';
import { READING_STORE } from '@rpm/platform';
import type { ReadingStore } from '@rpm/timeseries';
import { DataSource } from 'typeorm';

export interface PatientContext {
  rules: RuleDefinition[];
  timeZone: string;
}

const MAX_READINGS = 10_000;

/** Gathers what rules need about one patient: effective rules, time zone, readings over a window. */
@Injectable()
export class PatientFacts {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(READING_STORE) private readonly store: ReadingStore,
  ) {}

  async context(patientId: string): Promise<PatientContext | null> {
    const [patients, overrides] = await Promise.all([
      this.dataSource.query('SELECT time_zone FROM patients WHERE id = $1', [patientId]) as Promise<{ time_zone: string }[]>,
      this.dataSource.query('SELECT rule_id, version, disabled, params FROM patient_rule_overrides WHERE patient_id = $1', [patientId]) as Promise<
        { rule_id: string; version: number; disabled: boolean; params: Record<string, unknown> }[]
      >,
    ]);
    if (patients.length === 0) return null;
    const patientOverrides: RuleOverride[] = overrides.map((row) => ({ ruleId: row.rule_id, version: row.version, disabled: row.disabled, params: row.params }));
    return { rules: effectiveRules(DEFAULT_RULES, patientOverrides), timeZone: patients[0].time_zone };
  }

  /** The patient's readings of the rules' metrics, from the history the rules need before `from` up to `to`. */
  async readings(patientId: string, rules: readonly RuleDefinition[], from: Date, to: Date): Promise<NormalizedReading[]> {
    const metrics = [...new Set(rules.map((rule) => rule.metric))];
    const perMetric = await Promise.all(
      metrics.map((metric) => {
        const history = Math.max(...rules.filter((rule) => rule.metric === metric).map(historyMinutes));
        return this.store.query({ patientId, metric, from: new Date(from.getTime() - history * 60_000), to: new Date(to.getTime() + 1), limit: MAX_READINGS });
      }),
    );
    return perMetric.flat().sort((a, b) => a.measuredAt.localeCompare(b.measuredAt));
  }
}
