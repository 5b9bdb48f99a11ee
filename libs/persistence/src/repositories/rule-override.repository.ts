import type { DataSource } from 'typeorm';

export interface RuleOverrideRow {
  ruleId: string;
  version: number;
  disabled: boolean;
  params: Record<string, unknown>;
  /** When the care team last changed it (new parameters, off or on again): readings before it count for nothing under it. */
  changedAt?: Date;
}

interface OverrideRecord {
  patient_id: string;
  rule_id: string;
  version: number;
  disabled: boolean;
  params: Record<string, unknown>;
  changed_at: Date;
}

const rowOf = (row: OverrideRecord): RuleOverrideRow => ({
  ruleId: row.rule_id,
  version: row.version,
  disabled: row.disabled,
  params: row.params,
  changedAt: row.changed_at,
});

/** A care team's overrides of the programme's default rules, one current version per patient and rule. */
export class RuleOverrideRepository {
  constructor(private readonly dataSource: DataSource) {}

  async ofPatient(patientId: string): Promise<RuleOverrideRow[]> {
    return (await this.ofPatients([patientId])).get(patientId) ?? [];
  }

  /** The overrides of several patients in one query; patients with none are absent. */
  async ofPatients(patientIds: readonly string[]): Promise<Map<string, RuleOverrideRow[]>> {
    const rows: OverrideRecord[] = await this.dataSource.query(
      'SELECT patient_id, rule_id, version, disabled, params, changed_at FROM patient_rule_overrides WHERE patient_id = ANY($1::uuid[])',
      [patientIds],
    );
    const byPatient = new Map<string, RuleOverrideRow[]>();
    for (const row of rows) byPatient.set(row.patient_id, [...(byPatient.get(row.patient_id) ?? []), rowOf(row)]);
    return byPatient;
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
