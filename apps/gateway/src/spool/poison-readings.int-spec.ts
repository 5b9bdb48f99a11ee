import { deviceReadingsTopic } from '@rpm/contracts';
import { Client } from 'pg';
import { AppProcess } from '../../../../test/support/app-process';
import { createClinic, type ClinicFixture } from '../../../../test/support/fixtures';
import { gatewayEnv, type GatewayUnderTest } from '../../../../test/support/gateway-env';
import {
  AnnouncementListener,
  connectListeningDevice,
  metricValue,
  quarantineRows,
  runQuarantineCli,
  type ListeningDevice,
} from '../../../../test/support/poison-kit';
import { createTestDatabase } from '../../../../test/support/test-services';
import { waitFor } from '../../../../test/support/wait-for';

const recent = (secondsAgo: number) => new Date(Date.now() - secondsAgo * 1000).toISOString();
const heartRate = (seq: number, value: number, measuredAt = recent(600 - seq)) => ({ metric: 'heart_rate', value, unit: 'bpm', measuredAt, seq });

describe('poison readings never block the drain (PostgreSQL store)', () => {
  let databaseUrl: string;
  let underTest: GatewayUnderTest;
  let gateway: AppProcess;
  let sql: Client;
  let announcements: AnnouncementListener;
  let clinicA: ClinicFixture;
  let clinicB: ClinicFixture;
  let deviceA: ListeningDevice;
  let deviceB: ListeningDevice;

  const publish = (device: ListeningDevice, clinic: ClinicFixture, payload: unknown) =>
    device.client.publishAsync(deviceReadingsTopic(clinic.device.deviceId), JSON.stringify(payload), { qos: 1 });
  const storedSeqs = async (clinic: ClinicFixture): Promise<number[]> =>
    (await sql.query('SELECT seq FROM readings WHERE device_id = $1 ORDER BY seq', [clinic.device.deviceId])).rows.map((row) => Number(row.seq));
  /** A trigger that refuses one heart-rate value the way PostgreSQL refuses bad data: SQLSTATE class 22. */
  const installRefusal = (value: number, message: string) =>
    sql.query(`
      CREATE OR REPLACE FUNCTION refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.metric = 'heart_rate' AND (NEW."values"->>'value')::numeric = ${value} THEN
          RAISE EXCEPTION '${message}' USING ERRCODE = '22023';
        END IF;
        RETURN NEW;
      END $$;
      CREATE OR REPLACE TRIGGER refuse_poison BEFORE INSERT ON readings FOR EACH ROW EXECUTE FUNCTION refuse_poison();
    `);

  beforeAll(async () => {
    databaseUrl = await createTestDatabase();
    [clinicA, clinicB] = [await createClinic(databaseUrl, 'poison-a'), await createClinic(databaseUrl, 'poison-b')];
    underTest = await gatewayEnv(databaseUrl);
    gateway = await AppProcess.start('gateway', underTest.env, underTest.mqttPort);
    sql = new Client({ connectionString: databaseUrl });
    await sql.connect();
    announcements = await AnnouncementListener.start(underTest.mqttUrl);
    deviceA = await connectListeningDevice(underTest.mqttUrl, clinicA.device);
    deviceB = await connectListeningDevice(underTest.mqttUrl, clinicB.device);
  });

  afterAll(async () => {
    await deviceA?.client.endAsync(true);
    await deviceB?.client.endAsync(true);
    await announcements?.close();
    await sql?.end();
    await gateway?.stop();
  });

  it('refuses a year-0 reading at the gateway with a reason on the reply topic, and stores the next reading of another device', async () => {
    await publish(deviceA, clinicA, { metric: 'heart_rate', value: 70, unit: 'bpm', measuredAt: '0001-01-01T00:00:00+14:00', seq: 1 });
    const reply = await waitFor('the reply to the year-0 reading', async () => deviceA.replies[0], 10_000);
    expect(reply).toEqual(
      expect.objectContaining({
        status: 'rejected',
        accepted: 0,
        rejected: [{ index: 0, code: 'timestamp_too_old', message: expect.stringContaining('2000-01-01T00:00:00Z') }],
      }),
    );

    await publish(deviceB, clinicB, heartRate(2, 45));
    await waitFor('the next reading of another device in the store', async () => ((await storedSeqs(clinicB)).includes(2) ? true : undefined));
    expect(await storedSeqs(clinicA)).toEqual([]);
    expect(await quarantineRows(databaseUrl)).toEqual([]);
  });

  it('quarantines exactly the readings PostgreSQL refuses, with its reason; stores and announces the rest of the batch and the readings after it', async () => {
    await installRefusal(77, 'heart rate 77 refused by the test trigger');
    await publish(deviceA, clinicA, { readings: [heartRate(10, 70), heartRate(11, 71), heartRate(12, 77), heartRate(13, 72), heartRate(14, 73)] });
    await publish(deviceB, clinicB, heartRate(20, 74));

    await waitFor('the rest of the batch and the later reading in the store', async () =>
      (await storedSeqs(clinicA)).length === 4 && (await storedSeqs(clinicB)).includes(20) ? true : undefined,
    );
    expect(await storedSeqs(clinicA)).toEqual([10, 11, 13, 14]);
    const quarantined = await quarantineRows(databaseUrl);
    expect(quarantined).toEqual([
      expect.objectContaining({
        deviceId: clinicA.device.deviceId,
        reading: expect.objectContaining({ seq: 12, values: { value: 77 } }),
        reason: expect.stringMatching(/22023.*heart rate 77 refused by the test trigger/),
        store: 'postgres',
        replayedAt: null,
      }),
    ]);
    await waitFor('the stored readings announced to alerting', async () =>
      [10, 11, 13, 14].every((seq) => announcements.keys.has(`${clinicA.device.deviceId}#${seq}`)) && announcements.keys.has(`${clinicB.device.deviceId}#20`)
        ? true
        : undefined,
    );
    expect(announcements.keys.has(`${clinicA.device.deviceId}#12`)).toBe(false);
    expect(deviceA.replies).toHaveLength(1); // only the year-0 refusal: the batch itself was acknowledged whole

    const metrics = await (await fetch(`${underTest.httpUrl}/metrics`)).text();
    expect(metricValue(metrics, 'rpm_gateway_readings_quarantined_total')).toBe(1);
    expect(gateway.log).toContain('quarantined');

    const listed = await runQuarantineCli(databaseUrl, ['list']);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain(`#${quarantined[0].id} quarantined`);
    expect(listed.stdout).toContain('heart rate 77 refused by the test trigger');
  });

  it('replays a quarantined reading through the normal path: refused again it stays quarantined with the new reason; once the cause is gone it is stored and announced', async () => {
    const [row] = await quarantineRows(databaseUrl);
    await installRefusal(77, 'still refused after replay');
    expect((await runQuarantineCli(databaseUrl, ['replay', row.id])).code).toBe(0);
    const again = await waitFor('the replay refused again', async () => {
      const [current] = await quarantineRows(databaseUrl);
      return current.attempts === 2 && current.replayedAt === null ? current : undefined;
    });
    expect(again).toEqual(expect.objectContaining({ id: row.id, reason: expect.stringContaining('still refused after replay') }));

    await sql.query('DROP TRIGGER refuse_poison ON readings');
    expect((await runQuarantineCli(databaseUrl, ['replay', '--all'])).code).toBe(0);
    await waitFor('the replayed reading in the store', async () => ((await storedSeqs(clinicA)).includes(12) ? true : undefined));
    await waitFor('the replayed reading announced', async () => (announcements.keys.has(`${clinicA.device.deviceId}#12`) ? true : undefined));
    expect(await storedSeqs(clinicA)).toEqual([10, 11, 12, 13, 14]);
    const [replayed] = await quarantineRows(databaseUrl);
    expect(replayed.replayedAt).toBeInstanceOf(Date);
    expect((await runQuarantineCli(databaseUrl, ['list'])).stdout).toContain('no reading in quarantine');
    expect((await runQuarantineCli(databaseUrl, ['replay', '999999'])).code).toBe(1);
  });
});
