import { BadRequestException, Body, ConflictException, Controller, HttpCode, Inject, NotFoundException, Param, Post } from '@nestjs/common';
import {
  addCareTeamMemberRequestSchema,
  careTeamMembershipSchema,
  careTeamSchema,
  createCareTeamRequestSchema,
  createdPatientSchema,
  createdUserSchema,
  createPatientRequestSchema,
  createUserRequestSchema,
  userStatusSchema,
  type AddCareTeamMemberRequest,
  type CreateCareTeamRequest,
  type CreatePatientRequest,
  type CreateUserRequest,
} from '@rpm/contracts';
import { hashPassword } from '@rpm/security';
import { AccountRepository, PatientRepository } from '@rpm/persistence';
import { z } from 'zod';
import { AuditLog } from '../audit/audit-log';
import { CurrentUser, RequestId, type AuthenticatedUser } from '../auth/current-user';
import { AdminOnly } from './admin-only.decorator';
import { RespondsWith } from '../http/responds-with.decorator';

const uuid = z.uuid();

/** Accounts, care teams and patients: who may see whom is decided here, by administrators only. */
@Controller('admin')
@AdminOnly()
export class AdminController {
  constructor(
    @Inject(AccountRepository) private readonly accounts: AccountRepository,
    @Inject(PatientRepository) private readonly patients: PatientRepository,
    private readonly audit: AuditLog,
  ) {}

  @Post('care-teams')
  @RespondsWith(201, careTeamSchema)
  async createCareTeam(
    @Body({ schema: createCareTeamRequestSchema }) body: CreateCareTeamRequest,
    @CurrentUser() user: AuthenticatedUser,
    @RequestId() requestId: string,
  ) {
    const team = await this.accounts.createCareTeam(body.name);
    await this.recordAdminAction(user, requestId, 'admin.care-teams.create', `care-team:${team.id}`);
    return team;
  }

  @Post('users')
  @RespondsWith(201, createdUserSchema)
  async createUser(@Body({ schema: createUserRequestSchema }) body: CreateUserRequest, @CurrentUser() user: AuthenticatedUser, @RequestId() requestId: string) {
    const created = await this.accounts.createUser({
      email: body.email.toLowerCase(),
      displayName: body.displayName,
      role: body.role,
      passwordHash: await hashPassword(body.password),
      phone: body.phone ?? null,
    });
    if (!created) throw new ConflictException('a user with that e-mail exists');
    // The id and role say what was created; the password (hashed or not) never reaches the audit log.
    await this.recordAdminAction(user, requestId, 'admin.users.create', `user:${created.id} role:${body.role}`);
    return created;
  }

  /**
   * Disables an account at once: it can no longer sign in, every session it holds ends (an open alert
   * stream closes within seconds), and its history stays attributed to it.
   */
  @Post('users/:userId/disable')
  @HttpCode(200)
  @RespondsWith(200, userStatusSchema)
  async disableUser(@Param('userId', { schema: uuid }) userId: string, @CurrentUser() admin: AuthenticatedUser, @RequestId() requestId: string) {
    if (userId === admin.id) throw new BadRequestException('an administrator cannot disable their own account');
    const user = await this.accounts.disableUser(userId);
    if (!user) throw new NotFoundException('no such user');
    await this.recordAdminAction(admin, requestId, 'admin.users.disable', `user:${userId}`);
    return user;
  }

  @Post('users/:userId/enable')
  @HttpCode(200)
  @RespondsWith(200, userStatusSchema)
  async enableUser(@Param('userId', { schema: uuid }) userId: string, @CurrentUser() admin: AuthenticatedUser, @RequestId() requestId: string) {
    const user = await this.accounts.enableUser(userId);
    if (!user) throw new NotFoundException('no such user');
    await this.recordAdminAction(admin, requestId, 'admin.users.enable', `user:${userId}`);
    return user;
  }

  @Post('care-teams/:careTeamId/members')
  @RespondsWith(201, careTeamMembershipSchema)
  async addMember(
    @Param('careTeamId', { schema: uuid }) careTeamId: string,
    @Body({ schema: addCareTeamMemberRequestSchema }) body: AddCareTeamMemberRequest,
    @CurrentUser() admin: AuthenticatedUser,
    @RequestId() requestId: string,
  ) {
    if (!(await this.accounts.careTeamExists(careTeamId)) || !(await this.accounts.userExists(body.userId)))
      throw new NotFoundException('no such care team or user');
    await this.accounts.addCareTeamMember(careTeamId, body.userId);
    await this.recordAdminAction(admin, requestId, 'admin.care-teams.members.add', `care-team:${careTeamId} user:${body.userId}`);
    return { careTeamId, userId: body.userId };
  }

  @Post('patients')
  @RespondsWith(201, createdPatientSchema)
  async createPatient(
    @Body({ schema: createPatientRequestSchema }) body: CreatePatientRequest,
    @CurrentUser() user: AuthenticatedUser,
    @RequestId() requestId: string,
  ) {
    if (!(await this.accounts.careTeamExists(body.careTeamId))) throw new NotFoundException('no such care team');
    const patient = await this.patients.create(body);
    await this.audit.record({
      userId: user.id,
      action: 'admin.patients.create',
      patientId: patient.id,
      outcome: 'allowed',
      requestId,
      subject: `care-team:${body.careTeamId}`,
    });
    return patient;
  }

  private recordAdminAction(user: AuthenticatedUser, requestId: string, action: string, subject: string): Promise<void> {
    return this.audit.record({ userId: user.id, action, patientId: null, outcome: 'allowed', requestId, subject });
  }
}
