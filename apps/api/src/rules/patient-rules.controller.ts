import { BadRequestException, Body, Controller, Get, Inject, NotFoundException, Param, Put } from '@nestjs/common';
import { DEFAULT_RULES, effectiveRules, type RuleDefinition, type RuleOverride } from '@rpm/clinical';
import { ruleOverrideRequestSchema, type RuleOverrideRequest } from '@rpm/contracts';
import { DataSource } from 'typeorm';
import { z, ZodError } from 'zod';
import { CurrentUser, type AuthenticatedUser } from '../auth/current-user';
import { PatientRoute } from '../patients/patient-route.decorator';

const uuid = z.uuid();
const ruleId = z.string().regex(/^[a-z0-9_.]+$/);

/** Fields that identify a rule and may not be overridden. */
const FIXED_FIELDS = ['id', 'kind', 'version', 'metric'];

/**
 * The rules in force for a patient: programme defaults with the care team's overrides. Each override
 * is validated as a whole rule and stored under a new version; alerts record the version that fired.
 */
@Controller('patients/:patientId/rules')
export class PatientRulesController {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
  ) {}

  @Get()
  @PatientRoute('rules.list')
  async list(@Param('patientId', { schema: uuid }) patientId: string,) {
    const overrides = await this.overrides(patientId);
    const effective = new Map(effectiveRules(DEFAULT_RULES, overrides).map((rule) => [rule.id, rule]));
    return {
      rules: DEFAULT_RULES.map((rule) => ({ default: rule, effective: effective.get(rule.id) ?? null, overridden: overrides.some((o) => o.ruleId === rule.id) })),
    };
  }

  @Put(':ruleId')
  @PatientRoute('rules.override')
  async override(
    @Param('patientId', { schema: uuid }) patientId: string,
    @Param('ruleId', { schema: ruleId }) id: string,
    @Body({ schema: ruleOverrideRequestSchema }) body: RuleOverrideRequest,
    @CurrentUser() user: AuthenticatedUser,
  ): Promise<{ ruleId: string; version: number; disabled: boolean; effective: RuleDefinition | null }> {
    const base = DEFAULT_RULES.find((rule) => rule.id === id);
    if (!base) throw new NotFoundException('no such rule');
    const fixed = Object.keys(body.params).filter((key) => FIXED_FIELDS.includes(key));
    if (fixed.length) throw new BadRequestException(`these fields identify the rule and cannot be overridden: ${fixed.join(', ')}`);
    const [current] = await this.dataSource.query('SELECT version FROM patient_rule_overrides WHERE patient_id = $1 AND rule_id = $2', [patientId, id]);
    // Versions of an override continue from the default's, so the version an alert records is unambiguous.
    const version = Math.max(current?.version ?? 0, base.version) + 1;
    let effective: RuleDefinition | null;
    try {
      [effective = null] = effectiveRules([base], [{ ruleId: id, version, disabled: body.disabled, params: body.params }]);
    } catch (error) {
      if (error instanceof ZodError) throw new BadRequestException(error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
      throw error;
    }
    await this.dataSource.query(
      `INSERT INTO patient_rule_overrides (patient_id, rule_id, version, disabled, params, changed_by)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (patient_id, rule_id) DO UPDATE SET version = EXCLUDED.version, disabled = EXCLUDED.disabled, params = EXCLUDED.params,
         changed_by = EXCLUDED.changed_by, changed_at = now()`,
      [patientId, id, version, body.disabled, JSON.stringify(body.params), user.id],
    );
    return { ruleId: id, version, disabled: body.disabled, effective };
  }

  private async overrides(patientId: string): Promise<RuleOverride[]> {
    const rows: { rule_id: string; version: number; disabled: boolean; params: Record<string, unknown> }[] = await this.dataSource.query(
      'SELECT rule_id, version, disabled, params FROM patient_rule_overrides WHERE patient_id = $1',
      [patientId],
    );
    return rows.map((row) => ({ ruleId: row.rule_id, version: row.version, disabled: row.disabled, params: row.params }));
  }
}
