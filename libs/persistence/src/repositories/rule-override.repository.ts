import type { DataSource } from 'typeorm';

export interface RuleOverrideRow {
  ruleId: string;
  version: number;
  disabled: boolean;
  params: Record<string, unknown>;
}

/** A care team's overrides of the programme's default rules, one current version per patient and rule. */
export class RuleOverrideRepository {
  constructor(private readonly dataSource: DataSource) {}

  async ofPatient(patientId: string): Promise<RuleOverrideRow[]> {
    const rows: { rule_id: string; version: number; disabled: boolean; params: Record<string, unknown> }[] = await this.dataSource.query(
      'SELECT rule_id, version, disabled, params FROM patient_rule_overrides WHERE patient_id = $1',
      [patientId],
    );
    return rows.map((row) => ({ ruleId: row.rule_id, version: row.version, disabled: row.disabled, params: row.params }));
  }

  async currentVersion(patientId: string, ruleId: string): Promise<number | null> {
    const [current] = await this.dataSource.query('SELECT version FROM patient_rule_overrides WHERE patient_id = $1 AND rule_id = $2', [patientId, ruleId]);
    return current?.version ?? null;
  }

  async save(patientId: string, override: RuleOverrideRow, changedBy: string): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO patient_rule_overrides (patient_id, rule_id, version, disabled, params, changed_by)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (patient_id, rule_id) DO UPDATE SET version = EXCLUDED.version, disabled = EXCLUDED.disabled, params = EXCLUDED.params,
         changed_by = EXCLUDED.changed_by, changed_at = now()`,
      [patientId, override.ruleId, override.version, override.disabled, JSON.stringify(override.params), changedBy],
    );
  }
}
