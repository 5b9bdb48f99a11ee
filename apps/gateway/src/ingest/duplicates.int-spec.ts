import { deviceReadingsTopic } from '@rpm/contracts';
import { connectAsync, type MqttClient } from 'mqtt';
import { Client } from 'pg';
import { AppProcess } from '../../../../test/support/app-process';
import { createClinic, type ClinicFixture } from '../../../../test/support/fixtures';
import { gatewayEnv } from '../../../../test/support/gateway-env';
import { createTestDatabase } from '../../../../test/support/test-services';
import { waitFor } from '../../../../test/support/wait-for';

describe('duplicates collapse at the gateway', () => {
  let databaseUrl: string;
  let gateway: AppProcess;
  let clinic: ClinicFixture;
  let device: MqttClient;
  let sql: Client;

  const publish = (payload: unknown) => device.publishAsync(deviceReadingsTopic(clinic.device.deviceId), JSON.stringify(payload), { qos: 1 });
  const storedSeqs = async (): Promise<number[]> => {
    const { rows } = await sql.query('SELECT seq FROM readings WHERE device_id = $1 ORDER BY seq', [clinic.device.deviceId]);
    return rows.map((row) => Number(row.seq));
  };
  const glucose = (seq: number, measuredAt: string) => ({ metric: 'glucose', value: 100 + seq, unit: 'mg/dL', source: 'cgm', measuredAt, seq });

  beforeAll(async () => {
    databaseUrl = await createTestDatabase();
    clinic = await createClinic(databaseUrl, 'dup');
    const underTest = await gatewayEnv(databaseUrl);
    gateway = await AppProcess.start('gateway', underTest.env, underTest.mqttPort);
    device = await connectAsync(underTest.mqttUrl, {
      protocolVersion: 4,
      clientId: clinic.device.deviceId,
      username: clinic.device.deviceId,
      password: clinic.device.secret,
      reconnectPeriod: 0,
    });
    sql = new Client({ connectionString: databaseUrl });
    await sql.connect();
  });

  afterAll(async () => {
    await device?.endAsync();
    await sql?.end();
    await gateway?.stop();
  });

  it('stores a re-sent batch, a DUP redelivery and the same reading sent alone and in a batch once each; keeps two readings of the same second', async () => {
    const batch = { readings: [glucose(1, '2026-11-22T07:00:00Z'), glucose(2, '2026-11-22T07:05:00Z')] };
    await publish(batch);
    await publish(batch); // offline backfill sent again after a lost PUBACK
    await publish(glucose(2, '2026-11-22T07:05:00Z')); // the same reading through another path
    // A DUP redelivery, as a device's MQTT library sends it after reconnecting.
    await new Promise<void>((resolve, reject) =>
      device.publish(deviceReadingsTopic(clinic.device.deviceId), JSON.stringify(glucose(1, '2026-11-22T07:00:00Z')), { qos: 1, dup: true }, (error) =>
        error ? reject(error) : resolve(),
      ),
    );
    // Two distinct readings in the same second (different record numbers): both kept.
    await publish({ readings: [glucose(3, '2026-11-22T07:10:00.000Z'), glucose(4, '2026-11-22T07:10:00.000Z')] });

    const seqs = await waitFor('the readings in the store', async () => {
      const stored = await storedSeqs();
      return stored.length >= 4 ? stored : undefined;
    });
    await new Promise((resolve) => setTimeout(resolve, 300)); // let any late duplicate land, so it would be seen
    expect(await storedSeqs()).toEqual([1, 2, 3, 4]);
    expect(seqs).toEqual([1, 2, 3, 4]);
  });
});
