import { DataSource } from 'typeorm';
import { ENTITIES } from './entities';
import { InitialSchema1763830000000 } from './migrations/1763830000000-initial-schema';
import { DeviceRevocationNotify1763840000000 } from './migrations/1763840000000-device-revocation-notify';
import { PairingCodes1763850000000 } from './migrations/1763850000000-pairing-codes';
import { AlertLifecycle1763860000000 } from './migrations/1763860000000-alert-lifecycle';
import { FollowUp1763870000000 } from './migrations/1763870000000-follow-up';
import { UserPhone1763880000000 } from './migrations/1763880000000-user-phone';
import { AuditHashChain1763890000000 } from './migrations/1763890000000-audit-hash-chain';
import { AlertComments1763900000000 } from './migrations/1763900000000-alert-comments';
import { QuarantinedReadings1764000000000 } from './migrations/1764000000000-quarantined-readings';
import { LeastPrivilegeAudit1764100000000 } from './migrations/1764100000000-least-privilege-audit';
import { LoginFailures1764200000000 } from './migrations/1764200000000-login-failures';
import { UserDisabled1764300000000 } from './migrations/1764300000000-user-disabled';
import { AlertEpisodes1764410000000 } from './migrations/1764410000000-alert-episodes';
import { FollowUpCentre1764440000000 } from './migrations/1764440000000-follow-up-centre';
import { MultidisciplinaryTasks1764460000000 } from './migrations/1764460000000-multidisciplinary-tasks';
import { PatientContact1764470000000 } from './migrations/1764470000000-patient-contact';
import { QuestionnaireResponses1764480000000 } from './migrations/1764480000000-questionnaire-responses';
import { NursingTasks1764490000000 } from './migrations/1764490000000-nursing-tasks';
import { QuestionnaireAssignments1764500000000 } from './migrations/1764500000000-questionnaire-assignments';
import { PatientSignInLinks1764510000000 } from './migrations/1764510000000-patient-sign-in-links';
import { PatientFactsNotify1764530000000 } from './migrations/1764530000000-patient-facts-notify';
import { AlertingWorkNotify1764560000000 } from './migrations/1764560000000-alerting-work-notify';

export const MIGRATIONS = [
  InitialSchema1763830000000,
  DeviceRevocationNotify1763840000000,
  PairingCodes1763850000000,
  AlertLifecycle1763860000000,
  FollowUp1763870000000,
  UserPhone1763880000000,
  AuditHashChain1763890000000,
  AlertComments1763900000000,
  QuarantinedReadings1764000000000,
  LeastPrivilegeAudit1764100000000,
  LoginFailures1764200000000,
  UserDisabled1764300000000,
  AlertEpisodes1764410000000,
  FollowUpCentre1764440000000,
  MultidisciplinaryTasks1764460000000,
  PatientContact1764470000000,
  QuestionnaireResponses1764480000000,
  NursingTasks1764490000000,
  QuestionnaireAssignments1764500000000,
  PatientSignInLinks1764510000000,
  PatientFactsNotify1764530000000,
  AlertingWorkNotify1764560000000,
];

/** The schema is owned by migrations (`npm run db:migrate`); TypeORM never synchronizes it. */
export function createDataSource(databaseUrl: string, options: { poolMax?: number } = {}): DataSource {
  return new DataSource({
    type: 'postgres',
    url: databaseUrl,
    ...(options.poolMax ? { extra: { max: options.poolMax } } : {}),
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'schema_migrations',
    synchronize: false,
    migrationsRun: false,
    // Extensions are the migrations' business too; the apps' role may not create them (and need not).
    installExtensions: false,
  });
}

/** Applies pending migrations and returns the names of the ones it ran. */
export async function migrateDatabase(databaseUrl: string): Promise<string[]> {
  const dataSource = createDataSource(databaseUrl);
  await dataSource.initialize();
  try {
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((migration) => migration.name);
  } finally {
    await dataSource.destroy();
  }
}
