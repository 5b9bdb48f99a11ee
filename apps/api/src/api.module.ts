import { Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { DataSourceShutdown, ReadingStoreShutdown, dataSourceProvider, readingStoreProvider } from '@rpm/platform';
import { AdminController } from './admin/admin.controller';
import { AlertActionsController } from './alerts/alert-actions.controller';
import { AlertStream } from './alerts/alert-stream';
import { AlertStreamController } from './alerts/alert-stream.controller';
import { API_CONFIG, type ApiConfig } from './api.config';
import { AuditLog } from './audit/audit-log';
import { AuthController } from './auth/auth.controller';
import { AuthGuard } from './auth/auth.guard';
import { AuthService } from './auth/auth.service';
import { DeviceRegistry } from './devices/device-registry';
import { DevicesController } from './devices/devices.controller';
import { PairingController } from './devices/pairing.controller';
import { FollowUpController } from './follow-up/follow-up.controller';
import { HealthController } from './health/health.controller';
import { PatientAccess } from './patients/patient-access';
import { FhirController } from './patients/fhir.controller';
import { PatientStreamsController } from './patients/patient-streams.controller';
import { PatientSummaryController } from './patients/patient-summary.controller';
import { PatientsController } from './patients/patients.controller';
import { ProgrammeMetricsController } from './programme/programme-metrics.controller';
import { VisitsController } from './visits/visits.controller';
import { PatientRulesController } from './rules/patient-rules.controller';

@Module({})
export class ApiModule {
  static forConfig(config: ApiConfig): DynamicModule {
    return {
      module: ApiModule,
      imports: [ThrottlerModule.forRoot([{ name: 'default', ttl: 60_000, limit: 10 }])],
      controllers: [AdminController, AlertActionsController, FhirController, AlertStreamController, AuthController, DevicesController, FollowUpController, HealthController, PairingController, PatientRulesController, PatientStreamsController, PatientSummaryController, PatientsController, ProgrammeMetricsController, VisitsController],
      providers: [
        { provide: API_CONFIG, useValue: config },
        dataSourceProvider(API_CONFIG),
        readingStoreProvider(API_CONFIG),
        DataSourceShutdown,
        ReadingStoreShutdown,
        AlertStream,
        AuditLog,
        AuthService,
        DeviceRegistry,
        PatientAccess,
        { provide: APP_GUARD, useClass: AuthGuard },
      ],
    };
  }
}
