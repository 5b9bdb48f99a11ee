import { ACCEPTED_READINGS_TOPIC, deviceReadingsTopic, type AcceptedReadingsEvent } from '@rpm/contracts';
import { randomUUID } from 'node:crypto';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { connectAsync, type MqttClient } from 'mqtt';
import { AppProcess } from '../../../../test/support/app-process';
import { createClinic, type ClinicFixture } from '../../../../test/support/fixtures';
import { gatewayEnv, TEST_INTERNAL_PASSWORD, type GatewayUnderTest } from '../../../../test/support/gateway-env';
import { connectListeningDevice, type ListeningDevice } from '../../../../test/support/poison-kit';
import { createTestDatabase } from '../../../../test/support/test-services';
import { waitFor } from '../../../../test/support/wait-for';

const recent = (secondsAgo: number) => new Date(Date.now() - secondsAgo * 1000).toISOString();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The drain of a real gateway (embedded broker, PostgreSQL store, spool on disk) at a light load: a reading
 * that cannot page waits up to a second for company, one that could open an urgent alert goes at once and
 * takes the waiting ones with it, and an idle gateway writes no checkpoint.
 */
describe('the drain lingers for quiet readings, not for urgent ones, and writes nothing while idle', () => {
  let underTest: GatewayUnderTest;
  let gateway: AppProcess;
  let clinic: ClinicFixture;
  let device: ListeningDevice;
  let observer: MqttClient;
  /** When each announced reading (by seq) reached the observer. */
  const announcedAt = new Map<number, number>();
  let seq = 0;

  const publish = async (value: number): Promise<{ seq: number; ackedAt: number }> => {
    const reading = { metric: 'heart_rate', value, unit: 'bpm', measuredAt: recent(1), seq: ++seq };
    await device.client.publishAsync(deviceReadingsTopic(clinic.device.deviceId), JSON.stringify(reading), { qos: 1 });
    return { seq: reading.seq, ackedAt: Date.now() };
  };
  const announced = (wanted: number) => waitFor(`reading ${wanted} announced`, async () => announcedAt.get(wanted), 10_000);

  beforeAll(async () => {
    const databaseUrl = await createTestDatabase();
    clinic = await createClinic(databaseUrl, 'linger');
    underTest = await gatewayEnv(databaseUrl);
    gateway = await AppProcess.start('gateway', underTest.env, underTest.mqttPort);
    observer = await connectAsync(underTest.mqttUrl, {
      protocolVersion: 4,
      clientId: `service:linger-observer-${randomUUID().slice(0, 8)}`,
      username: 'service:linger-observer',
      password: TEST_INTERNAL_PASSWORD,
      reconnectPeriod: 0,
    });
    observer.on('message', (_topic, payload) => {
      for (const reading of (JSON.parse(payload.toString()) as AcceptedReadingsEvent).readings) announcedAt.set(Number(reading.seq), Date.now());
    });
    await observer.subscribeAsync(ACCEPTED_READINGS_TOPIC, { qos: 1 });
    device = await connectListeningDevice(underTest.mqttUrl, clinic.device);
  });

  afterAll(async () => {
    await device?.client.endAsync(true);
    await observer?.endAsync(true);
    await gateway?.stop();
  });

  it('holds an in-range reading up to a second, then sends it', async () => {
    const quiet = await publish(72);
    const at = await announced(quiet.seq);
    // Lingering for company: not sent at once (10 ms was the linger before), but within about a second.
    expect(at - quiet.ackedAt).toBeGreaterThanOrEqual(700);
    expect(at - quiet.ackedAt).toBeLessThan(3000);
  });

  it('sends a reading that could open an urgent alert at once, with the quiet ones waiting before it', async () => {
    const quiet = await publish(75);
    await sleep(100);
    const urgent = await publish(150); // above heart_rate.very_high (131 bpm): urgent
    const urgentAt = await announced(urgent.seq);
    expect(urgentAt - urgent.ackedAt).toBeLessThan(400);
    // One batch: the quiet reading went with it, long before its second was up.
    expect((await announced(quiet.seq)) - quiet.ackedAt).toBeLessThan(700);
  });

  it('writes no checkpoint while idle once the last release is on disk', async () => {
    const last = await publish(70);
    await announced(last.seq);
    const file = path.join(underTest.env.SPOOL_DIR, 'checkpoint');
    // A release within a second of the previous checkpoint write is written when that second is up.
    await sleep(1500);
    const before = await stat(file);
    await sleep(3000);
    const after = await stat(file);
    expect([after.ino, after.mtimeMs]).toEqual([before.ino, before.mtimeMs]);
  });
});
