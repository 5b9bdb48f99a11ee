import { randomUUID } from 'node:crypto';
import { readingPartitionOf, type NormalizedReading } from '@rpm/contracts';
import { TestEventLog } from '../../../../test/support/nats-event-log';
import type { GatewayConfig } from '../gateway.config';
import { JetStreamReadingAnnouncer } from './reading-announcer';

const reading = (patientId: string, seq: number): NormalizedReading => ({
  patientId,
  deviceId: `cgm-${patientId.slice(0, 8)}`,
  metric: 'glucose',
  measuredAt: new Date(Date.UTC(2026, 10, 30, 1, seq * 5)).toISOString(),
  receivedAt: new Date().toISOString(),
  seq,
  unit: 'mg/dL',
  values: { value: 100 + seq },
  original: { unit: 'mg/dL', values: { value: 100 + seq } },
  context: {},
});

describe('the gateway announcing readings on the reading log', () => {
  it("puts each reading once on its patient's partition, however often a replayed drain announces it", async () => {
    const eventLog = new TestEventLog(4);
    const config = { eventLog: { servers: [eventLog.env.EVENT_LOG_URL], stream: eventLog.stream, partitions: 4 } } as GatewayConfig;
    const announcer = new JetStreamReadingAnnouncer(config);
    await announcer.onModuleInit();
    try {
      const patients = Array.from({ length: 12 }, () => randomUUID());
      const readings = patients.flatMap((patientId) => [0, 1, 2].map((seq) => reading(patientId, seq)));
      await announcer.announce(readings);
      // A crash after the announcement and before the spool's release: the next drain announces the batch again, with new ones.
      const more = patients.map((patientId) => reading(patientId, 3));
      await announcer.announce([...readings.slice(10), ...more]);
      expect(await eventLog.messages()).toBe(readings.length + more.length);
      const perPartition = await eventLog.subjects();
      const expected: Record<string, number> = {};
      for (const { patientId } of [...readings, ...more]) {
        const subject = `${eventLog.stream}.p${readingPartitionOf(patientId, 4)}`;
        expected[subject] = (expected[subject] ?? 0) + 1;
      }
      expect(perPartition).toEqual(expected);
    } finally {
      await announcer.onApplicationShutdown();
      await eventLog.delete();
    }
  });
});
