import type { Type } from '@nestjs/common';
import { AdminController } from './admin/admin.controller';
import { AlertActionsController } from './alerts/alert-actions.controller';
import { AlertCommentsController } from './alerts/alert-comments.controller';
import { AlertStreamController } from './alerts/alert-stream.controller';
import { AuthController } from './auth/auth.controller';
import { DevicesController } from './devices/devices.controller';
import { FhirController } from './patients/fhir.controller';
import { FollowUpController } from './follow-up/follow-up.controller';
import { FollowUpDashboardController } from './follow-up/follow-up-dashboard.controller';
import { FollowUpTasksController } from './follow-up/follow-up-tasks.controller';
import { HealthController } from './health/health.controller';
import { MetricsController } from './observability/metrics.controller';
import { PairingController } from './devices/pairing.controller';
import { PatientContactController } from './patients/patient-contact.controller';
import { PatientLinkController } from './patients/patient-link.controller';
import { PatientPageController } from './patients/patient-page.controller';
import { PatientSignInController } from './patients/patient-sign-in.controller';
import { PatientReportsController } from './patients/patient-reports.controller';
import { PatientRulesController } from './rules/patient-rules.controller';
import { PatientStreamsController } from './patients/patient-streams.controller';
import { PatientSummaryController } from './patients/patient-summary.controller';
import { PatientsController } from './patients/patients.controller';
import { QuestionnairesController } from './patients/questionnaires.controller';
import { ProgrammeMetricsController } from './programme/programme-metrics.controller';
import { VisitsController } from './visits/visits.controller';
import { WorklistController } from './follow-up/worklist.controller';

/** Every controller of the API: the module mounts them, and the OpenAPI document and the route-table test read them. */
export const API_CONTROLLERS: Type[] = [
  AdminController,
  AlertActionsController,
  AlertCommentsController,
  AlertStreamController,
  AuthController,
  DevicesController,
  FhirController,
  FollowUpController,
  FollowUpDashboardController,
  FollowUpTasksController,
  HealthController,
  MetricsController,
  PairingController,
  PatientContactController,
  PatientLinkController,
  PatientPageController,
  PatientSignInController,
  PatientReportsController,
  PatientRulesController,
  PatientStreamsController,
  PatientSummaryController,
  PatientsController,
  ProgrammeMetricsController,
  QuestionnairesController,
  VisitsController,
  WorklistController,
];
