import { AccountRepository } from './account.repository';
import { AlertRepository } from './alert.repository';
import { AuditRepository } from './audit.repository';
import { CareTeamScope } from './care-team-scope';
import { DatabaseProbe } from './database-probe';
import { DeliveryRepository } from './delivery.repository';
import { DeviceRepository } from './device.repository';
import { FollowUpDashboardRepository } from './follow-up-dashboard.repository';
import { FollowUpPlanRepository } from './follow-up-plan.repository';
import { FollowUpTaskRepository } from './follow-up-task.repository';
import { LoginFailureRepository } from './login-failure.repository';
import { PatientContactRepository } from './patient-contact.repository';
import { PatientRepository } from './patient.repository';
import { PatientSignInRepository } from './patient-sign-in.repository';
import { QuarantineRepository } from './quarantine.repository';
import { QuestionnaireResponseRepository } from './questionnaire-response.repository';
import { RuleOverrideRepository } from './rule-override.repository';
import { VisitRepository } from './visit.repository';

export * from './account.repository';
export * from './alert.repository';
export * from './audit.repository';
export * from './care-team-scope';
export * from './database-probe';
export * from './delivery.repository';
export * from './device.repository';
export * from './follow-up-dashboard.repository';
export * from './follow-up-plan.repository';
export * from './follow-up-task.repository';
export * from './login-failure.repository';
export * from './patient-contact.repository';
export * from './patient.repository';
export * from './patient-sign-in.repository';
export * from './patient-control';
export * from './quarantine.repository';
export * from './questionnaire-response.repository';
export * from './rule-override.repository';
export * from './visit.repository';

/** Every repository: each is built from the DataSource alone (the apps register them as providers). */
export const REPOSITORIES = [
  AccountRepository,
  AlertRepository,
  AuditRepository,
  CareTeamScope,
  DatabaseProbe,
  DeliveryRepository,
  DeviceRepository,
  FollowUpDashboardRepository,
  FollowUpPlanRepository,
  FollowUpTaskRepository,
  LoginFailureRepository,
  PatientContactRepository,
  PatientRepository,
  PatientSignInRepository,
  QuarantineRepository,
  QuestionnaireResponseRepository,
  RuleOverrideRepository,
  VisitRepository,
];
export * from './partition-leases';
