import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR, Reflector } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { DataSourceShutdown, ReadingStoreShutdown, dataSourceProvider, readingStoreProvider, repositoryProviders, clockProvider } from '@rpm/platform';
import { AlertStream } from './alerts/alert-stream';
import { API_CONFIG, type ApiConfig } from './api.config';
import { API_CONTROLLERS } from './api.controllers';
import { WebAppController } from './web/web-app.controller';
import { AuditCheckpoints } from './audit/audit-checkpoints';
import { AuditLog } from './audit/audit-log';
import { AuthGuard } from './auth/auth.guard';
import { AuthService } from './auth/auth.service';
import { LoginLimits } from './auth/login-limits';
import { SessionWatch } from './auth/session-watch';
import { ApiExceptionFilter } from './http/api-exception.filter';
import { ResponseContractInterceptor } from './http/response-contract.interceptor';
import { BrokerCredentials } from './devices/broker-credentials';
import { DeviceRegistry } from './devices/device-registry';
import { ApiMetrics } from './observability/api-metrics';
import { PatientAccess, PatientLinkAccess } from './patients/patient-access';
import { QuestionnaireAnswering } from './patients/questionnaire-answering';
import { PatientWorklist } from './patients/patient-worklist';

@Module({})
export class ApiModule {
  static forConfig(config: ApiConfig): DynamicModule {
    return {
      module: ApiModule,
      imports: [ThrottlerModule.forRoot([{ name: 'default', ttl: 60_000, limit: 10 }])],
      controllers: [...API_CONTROLLERS, WebAppController],
      providers: [
        { provide: API_CONFIG, useValue: config },
        clockProvider('api', config.simulatedClockFile),
        dataSourceProvider(API_CONFIG),
        readingStoreProvider(API_CONFIG),
        ...repositoryProviders(),
        DataSourceShutdown,
        ReadingStoreShutdown,
        AlertStream,
        ApiMetrics,
        AuditLog,
        AuditCheckpoints,
        AuthService,
        LoginLimits,
        SessionWatch,
        BrokerCredentials,
        DeviceRegistry,
        PatientAccess,
        PatientLinkAccess,
        PatientWorklist,
        QuestionnaireAnswering,
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_FILTER, useClass: ApiExceptionFilter },
        { provide: APP_INTERCEPTOR, useFactory: (reflector: Reflector) => new ResponseContractInterceptor(reflector), inject: [Reflector] },
      ],
    };
  }
}
