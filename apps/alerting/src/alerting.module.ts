import { Module, type DynamicModule } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { DataSourceShutdown, ReadingStoreShutdown, dataSourceProvider, readingStoreProvider, clockProvider } from '@rpm/platform';
import { AlertRepository, CareTeamScope } from '@rpm/persistence';
import { ALERTING_CONFIG, type AlertingConfig } from './alerting.config';
import { AcceptedReadingsConsumer } from './alerts/accepted-readings.consumer';
import { PartitionedReadingsConsumer } from './alerts/partitioned-readings.consumer';
import { ReadingsSource } from './alerts/readings-source';
import { AlertOutcomes } from './alerts/alert-outcomes';
import { CacheInvalidation } from './alerts/cache-invalidation';
import { LiveEpisodes } from './alerts/live-episodes';
import { PatientFacts } from './alerts/patient-facts';
import { ReadingEvaluator } from './alerts/reading-evaluator';
import { EvaluationLag } from './alerts/evaluation-lag';
import { RuleStates } from './alerts/rule-states';
import { ScheduledWindows } from './alerts/scheduled-windows';
import { ALERT_CHANNELS, PATIENT_CHANNELS, type AlertChannel, type PatientChannel } from './delivery/alert-channel';
import { DeliveryQueue } from './delivery/delivery-queue';
import { DeliveryWorker } from './delivery/delivery-worker';
import { WebhookChannel } from './delivery/webhook-channel';
import { EmailChannel } from './delivery/email-channel';
import { SmsChannel } from './delivery/sms-channel';
import { VoiceChannel } from './delivery/voice-channel';
import { PatientReminders } from './follow-up/patient-reminders';
import { PatientSignInLinks } from './follow-up/patient-sign-in-links';
import { DataSource } from 'typeorm';
import { FollowUpJob } from './follow-up/follow-up.job';
import { PatientAssessment } from './follow-up/patient-assessment';
import { EscalationJob } from './jobs/escalation.job';
import { JobScheduler } from './jobs/job-scheduler';
import { JobFailures } from './jobs/job-failures';
import { PatientReportedAlertsJob } from './jobs/patient-reported-alerts.job';
import { ScheduledRulesJob } from './jobs/scheduled-rules.job';
import { AlertingHttpServer } from './observability/alerting-http.server';
import { AlertingMetrics } from './observability/alerting-metrics';

@Module({})
export class AlertingModule {
  static forConfig(config: AlertingConfig): DynamicModule {
    return {
      module: AlertingModule,
      imports: [ScheduleModule.forRoot()],
      providers: [
        { provide: ALERTING_CONFIG, useValue: config },
        clockProvider('alerting', config.simulatedClockFile),
        {
          provide: ALERT_CHANNELS,
          inject: [DataSource],
          useFactory: (dataSource: DataSource): AlertChannel[] => [
            ...(config.webhook ? [new WebhookChannel(config.webhook.url, config.webhook.secret)] : []),
            ...(config.email ? [new EmailChannel(config.email.smtpUrl, config.email.from, config.email.escalationAddress, new CareTeamScope(dataSource))] : []),
            ...(config.sms ? [new SmsChannel(config.sms.url, config.sms.token, new CareTeamScope(dataSource))] : []),
          ],
        },
        {
          // The channels that can reach a patient: those of the care team's that can, and the voice call.
          provide: PATIENT_CHANNELS,
          inject: [ALERT_CHANNELS],
          useFactory: (channels: AlertChannel[]): PatientChannel[] => [
            ...channels.filter((channel): channel is AlertChannel & PatientChannel => 'sendToPatient' in channel),
            ...(config.voice ? [new VoiceChannel(config.voice.url, config.voice.token)] : []),
          ],
        },
        {
          provide: PatientReminders,
          inject: [DataSource, PATIENT_CHANNELS, JobFailures],
          // Without PATIENT_LINK_SECRET no reminder goes to patients (the follow-up job gets null).
          useFactory: (dataSource: DataSource, channels: PatientChannel[], failures: JobFailures) =>
            config.patientLinks ? new PatientReminders(dataSource, channels, config.patientLinks, failures) : null,
        },
        {
          provide: PatientSignInLinks,
          inject: [DataSource, PATIENT_CHANNELS, JobFailures],
          // The links patients ask for at /p/sign-in, through the same patient channels; none without PATIENT_LINK_SECRET.
          useFactory: (dataSource: DataSource, channels: PatientChannel[], failures: JobFailures) =>
            config.patientLinks ? new PatientSignInLinks(dataSource, channels, config.patientLinks, failures) : null,
        },
        dataSourceProvider(ALERTING_CONFIG),
        readingStoreProvider(ALERTING_CONFIG),
        DataSourceShutdown,
        ReadingStoreShutdown,
        AlertingMetrics,
        JobFailures,
        { provide: AlertRepository, inject: [DataSource], useFactory: (dataSource: DataSource) => new AlertRepository(dataSource) },
        AlertOutcomes,
        PatientFacts,
        LiveEpisodes,
        CacheInvalidation,
        RuleStates,
        ScheduledWindows,
        EvaluationLag,
        ReadingEvaluator,
        DeliveryQueue,
        DeliveryWorker,
        EscalationJob,
        FollowUpJob,
        PatientAssessment,
        ScheduledRulesJob,
        PatientReportedAlertsJob,
        JobScheduler,
        // With EVENT_LOG_URL, instances split the reading log's partitions; without it, one process reads the broker's topic.
        { provide: ReadingsSource, useClass: config.eventLog ? PartitionedReadingsConsumer : AcceptedReadingsConsumer },
        AlertingHttpServer,
      ],
    };
  }
}
