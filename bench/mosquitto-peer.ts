import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { DeviceCredential } from '../device-simulators/src/simulated-device';
import { MosquittoServer } from '../test/support/mosquitto-server';

export interface MosquittoPeer {
  url: string;
  /** Where and as whom the load generator's observer of announced readings logs in. */
  observer: { url: string; username: string; password: string };
  stop(): Promise<void>;
}

/**
 * The peer pipeline: Debian's Mosquitto with its queues raised so it does not drop QoS 1 messages under
 * load (its default keeps 1000 per client), and the minimal subscriber writing to InfluxDB.
 */
export async function startMosquittoPeer(devices: DeviceCredential[], influxUrl: string, databaseUrl: string): Promise<MosquittoPeer> {
  const service = { username: 'bench-peer', password: randomUUID() };
  const broker = await MosquittoServer.start(
    service,
    devices.map((device) => ({ username: device.deviceId, password: device.secret })),
    // A 20,000/s step of 10 s is 200,000 messages: one queue may hold all of them while the subscriber catches up.
    { maxQueuedMessages: 1_000_000, maxInflightMessages: 1000 },
  );
  const subscriber = spawn(process.execPath, [path.join(__dirname, 'mosquitto-subscriber.js')], {
    env: {
      ...process.env,
      BROKER_URL: broker.internalUrl,
      BROKER_USERNAME: service.username,
      BROKER_PASSWORD: service.password,
      INFLUX_URL: influxUrl,
      INFLUX_DATABASE: 'bench_mosquitto',
      DATABASE_URL: databaseUrl,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await ready(subscriber);
  return {
    url: broker.url,
    observer: { ...service, url: broker.internalUrl },
    async stop() {
      const exited = new Promise((resolve) => subscriber.once('exit', resolve));
      subscriber.kill();
      await exited;
      await broker.stop();
    },
  };
}

function ready(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    child.stdout!.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`the peer subscriber exited with ${code}`)));
  });
}
