import { BadRequestException, Body, Controller, Get, Inject, NotFoundException, Param, Put } from '@nestjs/common';
import { DEFAULT_RULES, effectiveRules, ruleFields, type RuleDefinition, type RuleOverride } from '@rpm/clinical';
import { patientRulesResponseSchema, ruleOverrideRequestSchema, ruleOverrideResponseSchema, type RuleOverrideRequest } from '@rpm/contracts';
import { RuleOverrideRepository } from '@rpm/persistence';
import { z, ZodError } from 'zod';
import { CurrentUser, type AuthenticatedUser } from '../auth/current-user';
import { PatientRoute } from '../patients/patient-route.decorator';
import { RespondsWith } from '../http/responds-with.decorator';

const uuid = z.uuid();
const ruleId = z.string().regex(/^[a-z0-9_.]+$/);

/**
 * Fields that identify a rule and may not be overridden: its identity, the condition its alerts stand for
 * (episode), and when it came into force (set from the override's own time).
 */
const FIXED_FIELDS = ['id', 'kind', 'version', 'metric', 'episode', 'effectiveFrom'];

/**
 * The rules in force for a patient: programme defaults with the care team's overrides. Each override
 * is validated as a whole rule and stored under a new version; alerts record the version that fired.
 */
@Controller('patients/:patientId/rules')
export class PatientRulesController {
  constructor(@Inject(RuleOverrideRepository) private readonly overridesOf: RuleOverrideRepository) {}

  @Get()
  @PatientRoute('rules.list')
  @RespondsWith(200, patientRulesResponseSchema)
  async list(@Param('patientId', { schema: uuid }) patientId: string) {
    const overrides: RuleOverride[] = (await this.overridesOf.ofPatient(patientId)).map(({ changedAt, ...override }) => ({
      ...override,
      since: changedAt?.toISOString(),
    }));
    // An override stored before today's checks (or around the API) that they refuse is shown as alerting applies it: the default.
    const effective = new Map(
      DEFAULT_RULES.flatMap((rule) => {
        const own = overrides.filter((override) => override.ruleId === rule.id);
        try {
          return effectiveRules([rule], own);
        } catch {
          return [rule];
        }
      }).map((rule) => [rule.id, rule]),
    );
    return {
      rules: DEFAULT_RULES.map((rule) => ({
        default: rule,
        effective: effective.get(rule.id) ?? null,
        overridden: overrides.some((o) => o.ruleId === rule.id),
      })),
    };
  }

  @Put(':ruleId')
  @PatientRoute('rules.override')
  @RespondsWith(200, ruleOverrideResponseSchema)
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
    const known = ruleFields(base.kind);
    const unknown = Object.keys(body.params).filter((key) => !known.includes(key));
    if (unknown.length)
      throw new BadRequestException(
        `a ${base.kind} rule has no field ${unknown.join(', ')} (it has ${known.filter((key) => !FIXED_FIELDS.includes(key)).join(', ')})`,
      );
    const current = await this.overridesOf.currentVersion(patientId, id);
    // Versions of an override continue from the default's, so the version an alert records is unambiguous.
    const version = Math.max(current ?? 0, base.version) + 1;
    let effective: RuleDefinition | null;
    try {
      // In force from now: readings measured before the change count for nothing towards the rule's next episode.
      const since = new Date().toISOString();
      [effective = null] = effectiveRules([base], [{ ruleId: id, version, disabled: body.disabled, params: body.params, since }]);
    } catch (error) {
      if (error instanceof ZodError) throw new BadRequestException(error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
      throw error;
    }
    await this.overridesOf.save(patientId, { ruleId: id, version, disabled: body.disabled, params: body.params }, user.id);
    return { ruleId: id, version, disabled: body.disabled, effective };
  }
}
