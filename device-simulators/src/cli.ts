import { parseArgs } from 'node:util';
import type { DeviceReading } from '@rpm/contracts';
import { SimulatedDevice } from './simulated-device';

const USAGE = `Usage: npm run sim -- [options]

Publishes glucose meter readings as one device over MQTT, using only the documented protocol v1.

  --url URL          broker (default mqtt://localhost:1883)
  --device ID        device id, also the MQTT username (default demo-glucose-meter)
  --secret SECRET    device secret (default demo-device-secret)
  --count N          readings to send (default 10)
  --interval MS      pause between readings (default 1000)
  --hypo             send values in the level 2 hypoglycaemia range (< 54 mg/dL)
  --help             this text
`;

function positiveInteger(name: string, raw: string): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`--${name} must be a whole number, got "${raw}"`);
  return value;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      url: { type: 'string', default: 'mqtt://localhost:1883' },
      device: { type: 'string', default: 'demo-glucose-meter' },
      secret: { type: 'string', default: 'demo-device-secret' },
      count: { type: 'string', default: '10' },
      interval: { type: 'string', default: '1000' },
      hypo: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return void process.stdout.write(USAGE);
  const count = positiveInteger('count', values.count);
  const interval = positiveInteger('interval', values.interval);
  const device = await SimulatedDevice.connect(values.url, { deviceId: values.device, secret: values.secret });
  try {
    for (let sent = 1; sent <= count; sent++) {
      const value = values.hypo ? 45 + Math.round(Math.random() * 8) : 90 + Math.round(Math.random() * 60);
      const reading: DeviceReading = { metric: 'glucose', value, unit: 'mg/dL', source: 'meter', measuredAt: new Date().toISOString(), seq: sent };
      await device.publish(reading);
      process.stdout.write(`\r${sent}/${count} readings acknowledged by the gateway`);
      if (sent < count) await new Promise((resolve) => setTimeout(resolve, interval));
    }
    process.stdout.write('\n');
  } finally {
    await device.close();
  }
}

main().catch((error: Error & { code?: number }) => {
  process.stderr.write(`\nsim: ${error.code === 4 ? 'the broker refused the device credential' : error.message}\n${USAGE}`);
  process.exit(1);
});
