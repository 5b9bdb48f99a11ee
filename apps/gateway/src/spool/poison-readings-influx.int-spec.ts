import { deviceReadingsTopic } from '@rpm/contracts';
import { AppProcess } from '../../../../test/support/app-process';
import { createClinic, type ClinicFixture } from '../../../../test/support/fixtures';
import { gatewayEnv } from '../../../../test/support/gateway-env';
import { AnnouncementListener, connectListeningDevice, quarantineRows, runQuarantineCli, type ListeningDevice } from '../../../../test/support/poison-kit';
import { createTestDatabase, testServices, uniqueInfluxDatabase } from '../../../../test/support/test-services';
import { waitFor } from '../../../../test/support/wait-for';

/** A week InfluxDB keeps in its own shard (shard groups are 7 days for an infinite retention policy). */
const POISONED_WEEK = '2001-01-03T00:00:00Z';

describe('poison readings never block the drain (InfluxDB store)', () => {
  const influxUrl = testServices().influxUrl;
  const database = uniqueInfluxDatabase();
  let databaseUrl: string;
  let gateway: AppProcess;
  let announcements: AnnouncementListener;
  let clinicA: ClinicFixture;
  let clinicB: ClinicFixture;
  let deviceA: ListeningDevice;
  let deviceB: ListeningDevice;

  const influxQl = async (q: string, method: 'GET' | 'POST' = 'GET') => {
    const response = await fetch(`${influxUrl}/query?${new URLSearchParams({ db: database, q, epoch: 'u' })}`, { method });
    return (await response.json()) as { results: { series?: { columns: string[]; values: unknown[][] }[] }[] };
  };
  const storedSeqs = async (clinic: ClinicFixture): Promise<number[]> => {
    const series = (await influxQl(`SELECT "seq" FROM "heart_rate" WHERE "device_id" = '${clinic.device.deviceId}'`)).results[0].series?.[0];
    return (series?.values ?? []).map((row) => Number(row[1])).sort((a, b) => a - b);
  };
  const heartRate = (seq: number, value: number, measuredAt = new Date(Date.now() - (600 - seq) * 1000).toISOString()) => ({
    metric: 'heart_rate',
    value,
    unit: 'bpm',
    measuredAt,
    seq,
  });

  beforeAll(async () => {
    databaseUrl = await createTestDatabase();
    [clinicA, clinicB] = [await createClinic(databaseUrl, 'influx-poison-a'), await createClinic(databaseUrl, 'influx-poison-b')];
    // Someone wrote heart_rate.value as a string into that week's shard: InfluxDB now refuses floats there.
    await influxQl(`CREATE DATABASE "${database}"`, 'POST');
    const write = await fetch(`${influxUrl}/write?db=${database}&precision=ms`, {
      method: 'POST',
      body: `heart_rate,patient_id=someone,device_id=legacy-importer value="seventy" ${Date.parse(POISONED_WEEK)}`,
    });
    expect(write.status).toBe(204);
    const underTest = await gatewayEnv(databaseUrl, { INFLUX_URL: influxUrl, INFLUX_DATABASE: database });
    gateway = await AppProcess.start('gateway', underTest.env, underTest.mqttPort);
    announcements = await AnnouncementListener.start(underTest.mqttUrl);
    deviceA = await connectListeningDevice(underTest.mqttUrl, clinicA.device);
    deviceB = await connectListeningDevice(underTest.mqttUrl, clinicB.device);
  });

  afterAll(async () => {
    await deviceA?.client.endAsync(true);
    await deviceB?.client.endAsync(true);
    await announcements?.close();
    await gateway?.stop();
  });

  it('quarantines exactly the reading InfluxDB refuses (field type conflict) with its reason, stores and announces the others, and replays it once the cause is removed', async () => {
    await deviceA.client.publishAsync(
      deviceReadingsTopic(clinicA.device.deviceId),
      JSON.stringify({ readings: [heartRate(1, 70), heartRate(2, 71, '2001-01-03T12:00:00Z'), heartRate(3, 72)] }),
      { qos: 1 },
    );
    await deviceB.client.publishAsync(deviceReadingsTopic(clinicB.device.deviceId), JSON.stringify(heartRate(9, 45)), { qos: 1 });

    await waitFor('the rest of the batch and the later reading in InfluxDB', async () =>
      (await storedSeqs(clinicA)).length === 2 && (await storedSeqs(clinicB)).length === 1 ? true : undefined,
    );
    expect(await storedSeqs(clinicA)).toEqual([1, 3]);
    const quarantined = await waitFor('the refused reading in quarantine', async () => {
      const rows = await quarantineRows(databaseUrl);
      return rows.length > 0 ? rows : undefined;
    });
    expect(quarantined).toEqual([
      expect.objectContaining({
        deviceId: clinicA.device.deviceId,
        reading: expect.objectContaining({ seq: 2, measuredAt: '2001-01-03T12:00:00.000Z' }),
        reason: expect.stringMatching(/InfluxDB 400: partial write: field type conflict: input field "value" on measurement "heart_rate"/),
        store: 'influxdb',
      }),
    ]);
    await waitFor('the stored readings announced', async () =>
      ['1', '3'].every((seq) => announcements.keys.has(`${clinicA.device.deviceId}#${seq}`)) && announcements.keys.has(`${clinicB.device.deviceId}#9`)
        ? true
        : undefined,
    );
    expect(announcements.keys.has(`${clinicA.device.deviceId}#2`)).toBe(false);

    // The operator removes the cause (the shard with the string field), then replays.
    const shards = (await influxQl('SHOW SHARDS')).results[0].series!.find((series) => series.values.some((row) => row.includes(database)))!;
    const at = (row: unknown[], name: string) => row[shards.columns.indexOf(name)];
    const instant = (value: unknown) => (typeof value === 'number' ? value / 1000 : Date.parse(String(value)));
    const poisoned = shards.values.find(
      (row) => instant(at(row, 'start_time')) <= Date.parse(POISONED_WEEK) && Date.parse(POISONED_WEEK) < instant(at(row, 'end_time')),
    )!;
    expect(poisoned).toBeDefined();
    await influxQl(`DROP SHARD ${at(poisoned, 'id')}`, 'POST');
    expect((await runQuarantineCli(databaseUrl, ['replay', quarantined[0].id])).code).toBe(0);
    await waitFor('the replayed reading in InfluxDB', async () => ((await storedSeqs(clinicA)).includes(2) ? true : undefined));
    await waitFor('the replayed reading announced', async () => (announcements.keys.has(`${clinicA.device.deviceId}#2`) ? true : undefined));
    expect((await quarantineRows(databaseUrl))[0].replayedAt).toBeInstanceOf(Date);
  });
});
