import { Logger } from '@nestjs/common';
import { jsonLogger } from '@rpm/platform';
import fastify from 'fastify';
import { logRequestIds, requestIdFor } from './request-id';

describe('logRequestIds', () => {
  it("writes the request's id into the log lines of its handler, after its body is parsed and across awaits", async () => {
    const lines: string[] = [];
    const app = fastify({ requestIdHeader: false, genReqId: requestIdFor });
    logRequestIds(app);
    const log = new Logger('Handler');
    app.post('/echo', async (request) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      log.warn({ message: 'handled', bytes: JSON.stringify(request.body).length });
      return { ok: true };
    });
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => lines.push(String(chunk)) > 0);
    Logger.overrideLogger(jsonLogger('api', 'log'));
    try {
      const answer = await app.inject({ method: 'POST', url: '/echo', headers: { 'x-request-id': 'proxy-7f3a.42' }, payload: { a: 1 } });
      expect(answer.statusCode).toBe(200);
      log.warn({ message: 'outside' });
    } finally {
      jest.restoreAllMocks();
      Logger.overrideLogger(true);
      await app.close();
    }
    const [inside, outside] = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(inside).toEqual(expect.objectContaining({ message: { message: 'handled', bytes: 7 }, requestId: 'proxy-7f3a.42' }));
    expect(outside).not.toHaveProperty('requestId');
  });
});
