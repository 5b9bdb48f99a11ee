import { Logger } from '@nestjs/common';
import { jsonLogger, withLogContext } from './json-logger';

describe('jsonLogger', () => {
  it('writes the request or event id of the work being handled into every line written inside it, across awaits', async () => {
    const lines: string[] = [];
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => lines.push(String(chunk)) > 0);
    try {
      const logger = jsonLogger('test', 'log');
      const log = new Logger('Handler');
      Logger.overrideLogger(logger);
      await withLogContext({ eventId: 'event-1', deviceId: 'meter-1' }, async () => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        log.log({ message: 'inside' });
      });
      log.log({ message: 'outside' });
    } finally {
      jest.restoreAllMocks();
      Logger.overrideLogger(true);
    }
    const [inside, outside] = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(inside).toEqual(expect.objectContaining({ message: { message: 'inside' }, eventId: 'event-1', deviceId: 'meter-1', context: 'Handler' }));
    expect(outside).not.toHaveProperty('eventId');
  });
});
