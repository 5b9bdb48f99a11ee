import { Client } from 'pg';
import { SimulatedDevice } from '../../../device-simulators/src/simulated-device';
import { AppProcess } from '../../../test/support/app-process';
import { registerDevices } from '../../../test/support/device-fleet';
import { createClinic } from '../../../test/support/fixtures';
import { freePort } from '../../../test/support/free-port';
import { gatewayEnv } from '../../../test/support/gateway-env';
import { TestEventLog, scrapeGauge } from '../../../test/support/nats-event-log';
import { createTestDatabase } from '../../../test/support/test-services';
import { waitFor } from '../../../test/support/wait-for';

const PATIENTS = 24;
const PARTITIONS = 8;
/** One hypo episode per patient: level 1, then level 2 (one alert, raised to urgent), then recovery past both hysteresis bands. */
const EPISODE = [112, 96, 80, 66, 55, 50, 46, 49, 58, 71, 84, 97];
/** Readings sent before any alerting instance runs: the gateway must take and drain them with nobody consuming. */
const BEFORE_ALERTING = 5;
/** A dead instance's partitions are taken by the other within this (lease freed on its connection's end, then a 1 s rebalance). */
const HANDOVER_BOUND_MS = 10_000;

describe('reading log (NATS JetStream) between the gateway and alerting', () => {
  it('the gateway acknowledges and drains with no consumer; two alerting instances split the partitions; kill -9 of one hands them over, no alert lost or raised twice', async () => {
    const eventLog = new TestEventLog(PARTITIONS);
    const databaseUrl = await createTestDatabase();
    // One after another: each fixture opens its own connection, and 48 at once on a shared server run it out of
    // connections (max_connections 100) while other suites' processes hold theirs.
    const devices: Awaited<ReturnType<typeof registerDevices>> = [];
    for (let n = 0; n < PATIENTS; n++) {
      const clinic = await createClinic(databaseUrl, `log${n}`);
      devices.push(...(await registerDevices(databaseUrl, clinic.patientId, 1)));
    }
    const underTest = await gatewayEnv(databaseUrl, eventLog.env);
    const gateway = await AppProcess.start('gateway', underTest.env, underTest.mqttPort);
    const alertingPorts = [await freePort(), await freePort()];
    const startAlerting = (port: number) =>
      AppProcess.start(
        'alerting',
        {
          DATABASE_URL: databaseUrl,
          ...eventLog.env,
          LATE_READING_MINUTES: '120',
          LOG_LEVEL: 'log',
          ALERTING_HTTP_HOST: '127.0.0.1',
          ALERTING_HTTP_PORT: String(port),
        },
        { logLine: 'alerting consumes the reading log' },
        [],
        // It logs that once it has taken its first partitions, with the backlog waiting: slower on a loaded CI machine.
        60_000,
      );
    const owned = (port: number) => scrapeGauge(`http://127.0.0.1:${port}/metrics`, 'rpm_alerting_partitions_owned');
    const simulated = await Promise.all(devices.map((device) => SimulatedDevice.connect(underTest.mqttUrl, device)));
    const measuredAt = (index: number) => new Date(Date.now() - (EPISODE.length - index) * 5 * 60_000).toISOString();
    const send = (device: SimulatedDevice, index: number) =>
      device.publish({ metric: 'glucose', value: EPISODE[index], unit: 'mg/dL', source: 'cgm', measuredAt: measuredAt(index), seq: index });
    const sql = new Client({ connectionString: databaseUrl });
    await sql.connect();
    const alerting: AppProcess[] = [];
    try {
      // No alerting at all, the slowest consumer there is: every PUBACK comes at once and the drain empties the spool into the log.
      const pubacks: number[] = [];
      for (let index = 0; index < BEFORE_ALERTING; index++) {
        await Promise.all(
          simulated.map(async (device) => {
            const started = Date.now();
            await send(device, index);
            pubacks.push(Date.now() - started);
          }),
        );
      }
      expect(Math.max(...pubacks)).toBeLessThan(1000);
      await waitFor(
        'the drain to announce every reading with no consumer',
        async () => ((await eventLog.messages()) === PATIENTS * BEFORE_ALERTING ? true : undefined),
        10_000,
      );

      alerting.push(await startAlerting(alertingPorts[0]), await startAlerting(alertingPorts[1]));
      const split = await waitFor('the two instances to split the partitions', async () => {
        const counts = await Promise.all(alertingPorts.map(owned));
        return counts.every((count) => count !== undefined && count > 0) && counts[0]! + counts[1]! === PARTITIONS ? counts : undefined;
      });
      expect(split).toEqual([PARTITIONS / 2, PARTITIONS / 2]);

      const streaming = Promise.all(
        simulated.map(async (device) => {
          for (let index = BEFORE_ALERTING; index < EPISODE.length; index++) {
            await send(device, index);
            await new Promise((resolve) => setTimeout(resolve, 80));
          }
        }),
      );
      await new Promise((resolve) => setTimeout(resolve, 250));
      const killedAt = Date.now();
      await alerting[1].stop('SIGKILL');
      await waitFor(
        'the survivor to own every partition',
        async () => ((await owned(alertingPorts[0])) === PARTITIONS ? true : undefined),
        HANDOVER_BOUND_MS,
        100,
      );
      const handoverMs = Date.now() - killedAt;
      await streaming;

      const perPatient = await waitFor(
        'every episode evaluated and resolved',
        async () => {
          const { rows } = await sql.query<{ patient_id: string; episodes: number; resolved: number; urgent: number }>(
            `SELECT patient_id, count(*)::int AS episodes, count(*) FILTER (WHERE status = 'resolved')::int AS resolved,
                    count(*) FILTER (WHERE severity = 'urgent' AND rule_id = 'glucose.level2_hypo')::int AS urgent
               FROM alerts WHERE episode = 'glucose-low' GROUP BY 1`,
          );
          return rows.length === PATIENTS && rows.every((row) => row.resolved === row.episodes) ? rows : undefined;
        },
        60_000,
        250,
      );
      // Evaluated in order, once: level 1 and level 2 are one episode, raised to urgent, then resolved, per patient.
      expect(perPatient.every((row) => row.episodes === 1 && row.urgent === 1)).toBe(true);
      expect(await eventLog.messages()).toBe(PATIENTS * EPISODE.length);
      process.stdout.write(`reading log: PUBACK max ${Math.max(...pubacks)} ms with no consumer; partitions handed over in ${handoverMs} ms after kill -9\n`);
    } finally {
      await sql.end();
      await Promise.all(simulated.map((device) => device.close()));
      await Promise.all(alerting.map((app) => app.stop()));
      await gateway.stop();
      await eventLog.delete();
    }
  }, 120_000);

  it('alerting stuck on its database: devices are still acknowledged at once, the lag and the unacknowledged events show it and readiness fails, then it catches up', async () => {
    const eventLog = new TestEventLog(4);
    const databaseUrl = await createTestDatabase();
    const clinic = await createClinic(databaseUrl, 'stuck');
    const underTest = await gatewayEnv(databaseUrl, eventLog.env);
    const gateway = await AppProcess.start('gateway', underTest.env, underTest.mqttPort);
    const port = await freePort();
    const alerting = await AppProcess.start(
      'alerting',
      {
        DATABASE_URL: databaseUrl,
        ...eventLog.env,
        ALERTING_LAG_ALARM_SECONDS: '2',
        ALERTING_HTTP_HOST: '127.0.0.1',
        ALERTING_HTTP_PORT: String(port),
        LOG_LEVEL: 'log',
      },
      { logLine: 'alerting consumes the reading log' },
    );
    const device = await SimulatedDevice.connect(underTest.mqttUrl, clinic.device);
    const blocker = new Client({ connectionString: databaseUrl });
    await blocker.connect();
    const ready = async () => {
      const response = await fetch(`http://127.0.0.1:${port}/health/ready`);
      return { status: response.status, body: (await response.json()) as { reason?: string } };
    };
    const unacked = () => scrapeGauge(`http://127.0.0.1:${port}/metrics`, 'rpm_alerting_log_unacked_events');
    try {
      await waitFor('alerting ready', async () => ((await ready()).status === 200 ? true : undefined));
      // Evaluation reads the alerts table: while this transaction holds it, alerting can evaluate nothing.
      await blocker.query('BEGIN');
      await blocker.query('LOCK TABLE alerts IN ACCESS EXCLUSIVE MODE');
      const started = Date.now();
      for (let seq = 0; seq < 5; seq++) {
        await device.publish({
          metric: 'glucose',
          value: 50 - seq,
          unit: 'mg/dL',
          source: 'cgm',
          measuredAt: new Date(Date.now() - (5 - seq) * 60_000).toISOString(),
          seq,
        });
      }
      expect(Date.now() - started).toBeLessThan(2000);
      const behind = await waitFor('readiness to report the lag', async () => {
        const answer = await ready();
        return answer.status === 503 ? answer.body : undefined;
      });
      expect(behind.reason).toContain('evaluation lag');
      expect(await unacked()).toBe(5);
      await blocker.query('COMMIT');
      await waitFor('alerting to catch up', async () => ((await ready()).status === 200 && (await unacked()) === 0 ? true : undefined), 20_000);
      const { rows } = await blocker.query<{ alerts: number }>(`SELECT count(*)::int AS alerts FROM alerts WHERE patient_id = $1 AND episode = 'glucose-low'`, [
        clinic.patientId,
      ]);
      expect(rows[0].alerts).toBe(1);
    } finally {
      await blocker.end();
      await device.close();
      await alerting.stop();
      await gateway.stop();
      await eventLog.delete();
    }
  }, 90_000);
});
