import { Controller, Get, Module, type LoggerService } from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR, NestFactory, Reflector } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { z } from 'zod';
import { ApiExceptionFilter } from './api-exception.filter';
import { ResponseContractInterceptor } from './response-contract.interceptor';
import { RespondsWith } from './responds-with.decorator';

const userSchema = z.object({ id: z.string(), name: z.string() });

@Controller()
class ContractedController {
  /** A query that selected one column too many. */
  @Get('leaky')
  @RespondsWith(200, z.object({ user: userSchema, tags: z.array(z.string()) }))
  leaky() {
    return { user: { id: 'u1', name: 'Dr A', passwordHash: '$argon2id$secret' }, tags: ['a'], internalNote: 'not for clients' };
  }

  @Get('broken')
  @RespondsWith(200, userSchema)
  broken() {
    return { id: 42 };
  }

  /** A query result handed back whole where one row was meant. */
  @Get('rows')
  @RespondsWith(200, userSchema)
  rows() {
    return [{ id: 'u1', name: 'Dr A' }];
  }

  @Get('uncontracted')
  uncontracted() {
    return { anything: true };
  }
}

@Module({
  controllers: [ContractedController],
  providers: [
    { provide: APP_FILTER, useClass: ApiExceptionFilter },
    { provide: APP_INTERCEPTOR, useFactory: (reflector: Reflector) => new ResponseContractInterceptor(reflector), inject: [Reflector] },
  ],
})
class ContractedModule {}

describe('response contracts on the way out', () => {
  let app: NestFastifyApplication;
  const errors: unknown[] = [];
  const logger: LoggerService = { log: () => {}, warn: () => {}, error: (message: unknown) => errors.push(message) };

  beforeAll(async () => {
    app = await NestFactory.create<NestFastifyApplication>(ContractedModule, new FastifyAdapter(), { logger });
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });
  afterAll(() => app?.close());

  const get = (url: string) => app.getHttpAdapter().getInstance().inject({ method: 'GET', url });

  it('strips fields the contract does not name, at every depth, so a stray column never reaches the client', async () => {
    const response = await get('/leaky');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ user: { id: 'u1', name: 'Dr A' }, tags: ['a'] });
    expect(response.body).not.toContain('argon2id');
  });

  it('answers a body that breaks its contract with the one 500 error body, and logs which fields broke it', async () => {
    const response = await get('/broken');
    expect(response.statusCode).toBe(500);
    expect(response.json()).toEqual({ statusCode: 500, error: 'Internal Server Error', message: 'Internal server error' });
    expect(JSON.stringify(errors)).toMatch(/response does not match its contract: id: .*; name: /);
  });

  it('checks an array body as a whole: rows where one object was promised are a 500, not an array of valid rows', async () => {
    expect((await get('/rows')).statusCode).toBe(500);
  });

  it('leaves a route without a contract as it was', async () => {
    expect((await get('/uncontracted')).json()).toEqual({ anything: true });
  });
});
