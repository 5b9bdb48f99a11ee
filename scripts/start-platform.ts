import { loadConfigOrExit } from '@rpm/config';
import { AUDIT_CHECKPOINT_FILE_NAME, AUDIT_CHECKPOINT_KEY_FILE, auditLogRisks, enableApplicationLogin, migrateDatabase } from '@rpm/persistence';
import { randomBytes } from 'node:crypto';
import { connect, createServer } from 'node:net';
import path from 'node:path';
import { z } from 'zod';
import { demoCohortPresent, seedDemoCohort, DEMO_COHORT } from './demo-cohort';
import { startDemoCohortSimulation, type CohortSimulation } from './demo-cohort-simulation';
import { DEMO, seedDemo } from './demo-seed';
import { startEmbeddedPostgres, type RunningPostgres } from './embedded-postgres';
import { launcherVariables } from './launcher.config';
import { readOrCreateSecret } from './launcher-secrets';
import { Supervisor } from './supervisor';

/**
 * `npm start`: the whole platform on one machine. Starts the embedded PostgreSQL unless DATABASE_URL is
 * set, migrates, seeds a demo patient on an empty embedded database, then runs the gateway, alerting and
 * the API as three processes, exactly as they run in production, restarts one that crashes (supervisor.ts)
 * and stops them all together.
 * With the demo it also seeds a small cohort and simulates its devices (DEMO_COHORT).
 */
const launcherSchema = z.object(launcherVariables);

type AppName = 'gateway' | 'alerting' | 'api';

const say = (line: string) => process.stdout.write(`[platform] ${line}\n`);

function assertPortFree(portNumber: number, host: string, variable: string, hint: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new Error(
          error.code === 'EADDRINUSE'
            ? `port ${portNumber} is already in use${hint}. Choose another with ${variable}, e.g. ${variable}=${portNumber + 1} npm start`
            : `cannot listen on ${host}:${portNumber}: ${error.message}`,
        ),
      ),
    );
    probe.listen(portNumber, host, () => probe.close(() => resolve()));
  });
}

/** Resolves once the port accepts; a crash meanwhile is the supervisor's to restart, so this keeps trying until the deadline. */
function waitForPort(portNumber: number, name: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      const socket = connect(portNumber, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve();
      });
      socket.once('error', () => {
        socket.destroy();
        if (Date.now() > deadline) reject(new Error(`${name} did not open port ${portNumber} within ${timeoutMs / 1000} s`));
        else setTimeout(attempt, 100);
      });
    };
    attempt();
  });
}

async function main(): Promise<void> {
  const config = loadConfigOrExit(launcherSchema, 'platform');
  const embeddedBroker = config.MQTT_MODE === 'embedded';
  if (embeddedBroker) await assertPortFree(config.MQTT_PORT, config.MQTT_HOST, 'MQTT_PORT', ' (another MQTT broker such as Mosquitto?)');
  await assertPortFree(config.HTTP_PORT, config.HTTP_HOST, 'HTTP_PORT', '');
  await assertPortFree(config.GATEWAY_HTTP_PORT, config.GATEWAY_HTTP_HOST, 'GATEWAY_HTTP_PORT', ' (the gateway serves health and metrics there)');
  await assertPortFree(config.ALERTING_HTTP_PORT, config.ALERTING_HTTP_HOST, 'ALERTING_HTTP_PORT', ' (alerting serves health and metrics there)');

  if (config.DATABASE_MIGRATION_URL && !config.DATABASE_URL) {
    throw new Error('DATABASE_MIGRATION_URL (the owner that migrates) needs DATABASE_URL (the application role the apps connect as) too');
  }
  let postgres: RunningPostgres | undefined;
  if (!config.DATABASE_URL) {
    say(`starting embedded PostgreSQL (data in ${path.resolve(config.DATA_DIR, 'postgres')}) ...`);
    postgres = await startEmbeddedPostgres(config.DATA_DIR, config.EMBEDDED_POSTGRES_PORT);
  }
  // The owner migrates and seeds; the apps connect as a role that can only append to the audit log.
  const ownerUrl = config.DATABASE_MIGRATION_URL ?? config.DATABASE_URL ?? postgres!.url;
  const applied = await migrateDatabase(ownerUrl);
  if (applied.length) say(`applied migrations: ${applied.join(', ')}`);
  const databaseUrl = config.DATABASE_URL ?? (await enableApplicationLogin(ownerUrl, readOrCreateSecret(path.join(config.DATA_DIR, 'postgres-app-password'))));
  const risks = await auditLogRisks(databaseUrl);
  if (risks.length) {
    say(
      `warning: the apps' DATABASE_URL could rewrite the audit log (${risks.join('; ')}). ` +
        'Give them an application role and migrate with DATABASE_MIGRATION_URL (docs/deployment.md, "Database roles")',
    );
  }
  const demoEnabled = (config.DEMO_SEED ?? String(!config.DATABASE_URL)) === 'true';
  const seeded = demoEnabled && (await seedDemo(ownerUrl));
  if (seeded) say('seeded the demo doctor, patient and device');
  // The cohort goes with the demo: seeded on the first start, simulated on every start while it is there.
  const cohortEnabled = demoEnabled && ['true', '1'].includes(config.DEMO_COHORT ?? String(!config.DATABASE_URL));
  const cohortSeeded = cohortEnabled && seeded && (await seedDemoCohort(ownerUrl));
  if (cohortSeeded)
    say(`seeded a demo cohort of ${DEMO_COHORT.length} patients in the demo care team (${DEMO_COHORT.map((patient) => patient.name).join(', ')})`);
  const simulateCohort = cohortEnabled && (cohortSeeded || (await demoCohortPresent(ownerUrl)));

  const internalPassword = config.INTERNAL_MQTT_PASSWORD ?? randomBytes(24).toString('base64url');
  // The owner's credentials stay with the launcher.
  const { DATABASE_MIGRATION_URL: _ownerUrl, ...inherited } = process.env;
  // Quiet by default, so what a newcomer reads is the banner below: warnings, errors and alarms only.
  const sharedEnv = { LOG_LEVEL: 'warn', ...inherited, DATABASE_URL: databaseUrl, INTERNAL_MQTT_PASSWORD: internalPassword };
  const auditCheckpoints =
    process.env.AUDIT_CHECKPOINT_FILE || process.env.AUDIT_CHECKPOINT_KEY
      ? {}
      : {
          AUDIT_CHECKPOINT_FILE: path.resolve(config.DATA_DIR, AUDIT_CHECKPOINT_FILE_NAME),
          AUDIT_CHECKPOINT_KEY: readOrCreateSecret(path.join(config.DATA_DIR, AUDIT_CHECKPOINT_KEY_FILE)),
        };
  // Links in reminders to patients: the secret is generated once and kept under DATA_DIR (a per-restart value
  // would void every link sent); the API and alerting share it. The links point at this API.
  const linkHost = config.HTTP_HOST === '0.0.0.0' || config.HTTP_HOST === '::' ? 'localhost' : config.HTTP_HOST;
  const patientLinks = {
    PATIENT_LINK_SECRET: process.env.PATIENT_LINK_SECRET || readOrCreateSecret(path.join(config.DATA_DIR, 'patient-link.key')),
    PATIENT_LINK_BASE_URL: process.env.PATIENT_LINK_BASE_URL || `${process.env.TLS_CERT_FILE ? 'https' : 'http'}://${linkHost}:${config.HTTP_PORT}`,
  };
  const appEnv: Record<AppName, NodeJS.ProcessEnv> = {
    gateway: { ...sharedEnv, SPOOL_DIR: config.SPOOL_DIR ?? path.join(config.DATA_DIR, 'spool') },
    alerting: embeddedBroker
      ? { ...sharedEnv, ...patientLinks, MQTT_URL: `mqtt://127.0.0.1:${config.MQTT_PORT}`, MQTT_PASSWORD: internalPassword }
      : { ...sharedEnv, ...patientLinks },
    api: { ...sharedEnv, ...auditCheckpoints, PATIENT_LINK_SECRET: patientLinks.PATIENT_LINK_SECRET },
  };

  let cohortSimulation: CohortSimulation | undefined;
  let stopping = false;
  const stopAll = async (exitCode: number) => {
    if (stopping) return;
    stopping = true;
    say('stopping ...');
    // Signal the apps at once, not after the simulator: both stops run side by side.
    const simulationStopped = cohortSimulation?.stop();
    await Promise.all([supervisor.stop(10_000), Promise.race([simulationStopped, new Promise((resolve) => setTimeout(resolve, 10_000))])]);
    await postgres?.stop().catch(() => undefined);
    process.exit(exitCode);
  };
  const supervisor = new Supervisor(say, (exitCode) => void stopAll(exitCode));
  // embedded-postgres registers exit hooks that stop PostgreSQL and exit on the first signal, while the apps are
  // still shutting down (the API's last audit checkpoint, the gateway's spool) and would outlive the launcher.
  // The launcher owns the order instead: apps first, then PostgreSQL, then exit.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.removeAllListeners(signal);
    process.on(signal, () => void stopAll(0));
  }

  const start = (name: AppName) => supervisor.start({ name, main: path.resolve(__dirname, `../apps/${name}/src/main.js`), env: appEnv[name] });

  try {
    // Alerting connects to the broker the gateway embeds, so the gateway goes first.
    start('gateway');
    if (embeddedBroker) await waitForPort(config.MQTT_PORT, 'gateway');
    start('alerting');
    start('api');
    await waitForPort(config.HTTP_PORT, 'api');
  } catch (error) {
    process.stderr.write(`[platform] cannot start: ${(error as Error).message}\n`);
    await stopAll(1);
  }

  const host = (bound: string) => (bound === '0.0.0.0' || bound === '::' ? 'localhost' : bound);
  const httpUrl = `http://${host(config.HTTP_HOST)}:${config.HTTP_PORT}`;
  const lines = [
    'the platform is running. Ctrl-C stops it.',
    embeddedBroker ? `MQTT (devices):  mqtt://${host(config.MQTT_HOST)}:${config.MQTT_PORT}` : 'MQTT (devices):  the external broker',
    `HTTP (doctors):  ${httpUrl}   (health: ${httpUrl}/health)`,
    `gateway health:  http://${host(config.GATEWAY_HTTP_HOST)}:${config.GATEWAY_HTTP_PORT}/health/ready   (Prometheus: /metrics)`,
    `alerting health: http://${host(config.ALERTING_HTTP_HOST)}:${config.ALERTING_HTTP_PORT}/health/ready   (Prometheus: /metrics)`,
    `store:           ${process.env.INFLUX_URL ? `InfluxDB at ${process.env.INFLUX_URL}` : 'readings table in PostgreSQL (no INFLUX_URL set)'}`,
  ];
  if (seeded || demoEnabled) {
    lines.push(
      `log in:          POST ${httpUrl}/auth/login {"email":"${DEMO.doctor.email}","password":"${DEMO.doctor.password}"}`,
      `administrator:   ${DEMO.admin.email} / ${DEMO.admin.password} (care teams, users, patients: /admin/*, npm run sim -- --api)`,
      `demo device:     username ${DEMO.device.id}, password ${DEMO.device.secret}, topic rpm/v1/devices/${DEMO.device.id}/readings`,
      `demo patient:    ${DEMO.patient.id} (see README.md "Quick start" for mosquitto_pub and curl)`,
    );
  }
  if (simulateCohort) {
    lines.push(`demo cohort:     ${DEMO_COHORT.length} simulated patients in the demo care team (DEMO_COHORT=false turns them off)`);
  }
  say(lines.join('\n[platform] '));

  if (simulateCohort) {
    // Over the broker like any device: the embedded one here, or the external one the gateway consumes.
    const brokerUrl = embeddedBroker ? `mqtt://127.0.0.1:${config.MQTT_PORT}` : (process.env.MQTT_URL ?? `mqtt://127.0.0.1:${config.MQTT_PORT}`);
    // Two weeks of history on the first start (the 14-day CGM summary needs them); later starts publish live only.
    cohortSimulation = startDemoCohortSimulation(brokerUrl, cohortSeeded ? DEMO_COHORT_BACKFILL_DAYS : 0, say);
  }
}

/** The CGM summary and the time-in-range rules look at 14 days (Battelino 2019, docs/clinical-references.md). */
const DEMO_COHORT_BACKFILL_DAYS = 14;

main().catch((error: Error) => {
  process.stderr.write(`[platform] cannot start: ${error.message}\n`);
  process.exit(1);
});
