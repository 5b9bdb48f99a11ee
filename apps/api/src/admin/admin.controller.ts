import { Body, ConflictException, Controller, Inject, NotFoundException, Param, Post } from '@nestjs/common';
import {
  addCareTeamMemberRequestSchema,
  createCareTeamRequestSchema,
  createPatientRequestSchema,
  createUserRequestSchema,
  type AddCareTeamMemberRequest,
  type CreateCareTeamRequest,
  type CreatePatientRequest,
  type CreateUserRequest,
} from '@rpm/contracts';
import { hashPassword } from '@rpm/security';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import { AuditLog } from '../audit/audit-log';
import { CurrentUser, RequestId, type AuthenticatedUser } from '../auth/current-user';
import { AdminOnly } from './admin-only.decorator';

const uuid = z.uuid();

/** Accounts, care teams and patients: who may see whom is decided here, by administrators only. */
@Controller('admin')
@AdminOnly()
export class AdminController {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    private readonly audit: AuditLog,
  ) {}

  @Post('care-teams')
  async createCareTeam(
    @Body({ schema: createCareTeamRequestSchema }) body: CreateCareTeamRequest,
    @CurrentUser() user: AuthenticatedUser,
    @RequestId() requestId: string,
  ) {
    const [team] = await this.dataSource.query('INSERT INTO care_teams (name) VALUES ($1) RETURNING id, name', [body.name]);
    await this.recordAdminAction(user, requestId, 'admin.care-teams.create', `care-team:${team.id}`);
    return team;
  }

  @Post('users')
  async createUser(
    @Body({ schema: createUserRequestSchema }) body: CreateUserRequest,
    @CurrentUser() user: AuthenticatedUser,
    @RequestId() requestId: string,
  ) {
    const rows = await this.dataSource.query(
      `INSERT INTO users (email, display_name, role, password_hash, phone) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (email) DO NOTHING RETURNING id, email, display_name AS "displayName", role`,
      [body.email.toLowerCase(), body.displayName, body.role, await hashPassword(body.password), body.phone ?? null],
    );
    if (rows.length === 0) throw new ConflictException('a user with that e-mail exists');
    // The id and role say what was created; the password (hashed or not) never reaches the audit log.
    await this.recordAdminAction(user, requestId, 'admin.users.create', `user:${rows[0].id} role:${body.role}`);
    return rows[0];
  }

  @Post('care-teams/:careTeamId/members')
  async addMember(
    @Param('careTeamId', { schema: uuid }) careTeamId: string,
    @Body({ schema: addCareTeamMemberRequestSchema }) body: AddCareTeamMemberRequest,
    @CurrentUser() admin: AuthenticatedUser,
    @RequestId() requestId: string,
  ) {
    const [team] = await this.dataSource.query('SELECT 1 FROM care_teams WHERE id = $1', [careTeamId]);
    const [user] = await this.dataSource.query('SELECT 1 FROM users WHERE id = $1', [body.userId]);
    if (!team || !user) throw new NotFoundException('no such care team or user');
    await this.dataSource.query('INSERT INTO care_team_members (care_team_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING', [careTeamId, body.userId]);
    await this.recordAdminAction(admin, requestId, 'admin.care-teams.members.add', `care-team:${careTeamId} user:${body.userId}`);
    return { careTeamId, userId: body.userId };
  }

  @Post('patients')
  async createPatient(
    @Body({ schema: createPatientRequestSchema }) body: CreatePatientRequest,
    @CurrentUser() user: AuthenticatedUser,
    @RequestId() requestId: string,
  ) {
    const [team] = await this.dataSource.query('SELECT 1 FROM care_teams WHERE id = $1', [body.careTeamId]);
    if (!team) throw new NotFoundException('no such care team');
    const [patient] = await this.dataSource.query(
      `INSERT INTO patients (display_name, programme, care_team_id, time_zone) VALUES ($1, $2, $3, $4)
       RETURNING id, display_name AS "displayName", programme, care_team_id AS "careTeamId", time_zone AS "timeZone"`,
      [body.displayName, body.programme, body.careTeamId, body.timeZone],
    );
    await this.audit.record({ userId: user.id, action: 'admin.patients.create', patientId: patient.id, outcome: 'allowed', requestId, subject: `care-team:${body.careTeamId}` });
    return patient;
  }

  private recordAdminAction(user: AuthenticatedUser, requestId: string, action: string, subject: string): Promise<void> {
    return this.audit.record({ userId: user.id, action, patientId: null, outcome: 'allowed', requestId, subject });
  }
}
