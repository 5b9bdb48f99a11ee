import { deviceReadingsTopic } from '@rpm/contracts';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { AppProcess } from '../../../../test/support/app-process';
import { createClinic, type ClinicFixture } from '../../../../test/support/fixtures';
import { freePort } from '../../../../test/support/free-port';
import { gatewayEnv, type GatewayUnderTest } from '../../../../test/support/gateway-env';
import { connectListeningDevice, metricValue, type ListeningDevice } from '../../../../test/support/poison-kit';
import { createTestDatabase, testServices, uniqueInfluxDatabase } from '../../../../test/support/test-services';
import { waitFor } from '../../../../test/support/wait-for';

/** A TCP relay to the real influxd that the test opens and closes: the store "goes away" and comes back. */
class SwitchableRelay {
  private server?: Server;
  private readonly sockets = new Set<Socket>();

  constructor(
    readonly port: number,
    private readonly target: URL,
  ) {}

  async open(): Promise<void> {
    const server = createServer((socket) => {
      const upstream = connect(Number(this.target.port), this.target.hostname);
      for (const end of [socket, upstream]) {
        this.sockets.add(end);
        end.on('close', () => this.sockets.delete(end));
        end.on('error', () => end.destroy());
      }
      socket.pipe(upstream).pipe(socket);
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', () => resolve()));
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server = undefined;
  }
}

describe('readiness reports a stalled drain', () => {
  let underTest: GatewayUnderTest;
  let gateway: AppProcess;
  let clinic: ClinicFixture;
  let device: ListeningDevice;
  let relay: SwitchableRelay;

  const ready = async () => {
    const response = await fetch(`${underTest.httpUrl}/health/ready`);
    return { status: response.status, body: (await response.json()) as { status: string; reason?: string; checks: Record<string, unknown> } };
  };
  const alarm = async () => metricValue(await (await fetch(`${underTest.httpUrl}/metrics`)).text(), 'rpm_gateway_spool_alarm');

  beforeAll(async () => {
    const databaseUrl = await createTestDatabase();
    clinic = await createClinic(databaseUrl, 'stall');
    // The store is unreachable from the start: nothing listens on the relay's port yet.
    relay = new SwitchableRelay(await freePort(), new URL(testServices().influxUrl));
    underTest = await gatewayEnv(databaseUrl, {
      INFLUX_URL: `http://127.0.0.1:${relay.port}`,
      INFLUX_DATABASE: uniqueInfluxDatabase(),
      DRAIN_STALL_SECONDS: '2',
    });
    gateway = await AppProcess.start('gateway', underTest.env, underTest.mqttPort);
    device = await connectListeningDevice(underTest.mqttUrl, clinic.device);
  });

  afterAll(async () => {
    await device?.client.endAsync(true);
    await gateway?.stop();
    await relay?.close();
  });

  it('answers 503 with a reason and raises the spool alarm while readings wait longer than DRAIN_STALL_SECONDS, and recovers once the store is back', async () => {
    expect((await ready()).status).toBe(200); // nothing pending: an idle drain is not a stalled one
    const reading = { metric: 'heart_rate', value: 64, unit: 'bpm', measuredAt: new Date(Date.now() - 60_000).toISOString(), seq: 1 };
    await device.client.publishAsync(deviceReadingsTopic(clinic.device.deviceId), JSON.stringify(reading), { qos: 1 });

    const stalled = await waitFor('readiness to report the stalled drain', async () => {
      const answer = await ready();
      return answer.status === 503 ? answer.body : undefined;
    });
    expect(stalled).toEqual(
      expect.objectContaining({
        status: 'unavailable',
        reason: expect.stringMatching(/^drain stalled: no reading stored for \d+ s while 1 are pending$/),
        checks: expect.objectContaining({ store: 'down', drain: expect.objectContaining({ stalled: true }) }),
      }),
    );
    expect(await alarm()).toBe(1);
    await waitFor('the alarm logged', async () => (gateway.log.includes('ALARM: drain stalled') ? true : undefined));
    // Scraping while the alarm is raised reads it and writes nothing to the log.
    const logBefore = gateway.log.length;
    for (let scrape = 0; scrape < 3; scrape++) expect(await alarm()).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(gateway.log.slice(logBefore)).toBe('');

    await relay.open();
    await waitFor('readiness back once the reading is stored', async () => ((await ready()).status === 200 ? true : undefined));
    expect(await alarm()).toBe(0);
  });
});
