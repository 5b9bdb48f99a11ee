import type { IncomingMessage } from 'node:http';
import { AsyncResource } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { withLogContext } from '@rpm/platform';
import type { FastifyInstance, FastifyRequest } from 'fastify';

/**
 * A caller's x-request-id is kept (so a request can be followed through a proxy's logs) only when it is
 * short and plain; anything else (8,000 characters, control characters, markup) is replaced by a
 * generated id, because the id is logged and stored in the audit log.
 */
export const ACCEPTED_REQUEST_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;

export function requestIdFor(request: IncomingMessage): string {
  const given = request.headers['x-request-id'];
  return typeof given === 'string' && ACCEPTED_REQUEST_ID.test(given) ? given : randomUUID();
}

/** Every answer names its request id, so a user can quote it and an operator find it in the log and audit trail. */
export function echoRequestIds(instance: FastifyInstance): void {
  instance.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
}

const logScope = new WeakMap<FastifyRequest, AsyncResource>();

/**
 * Every log line written while a request is handled carries its request id. The context is entered on
 * request and entered again before validation: body parsing runs in the socket's stream callbacks, which
 * would otherwise lose it (the way @fastify/request-context does it).
 */
export function logRequestIds(instance: FastifyInstance): void {
  instance.addHook('onRequest', (request, _reply, done) => {
    withLogContext({ requestId: request.id }, () => {
      const scope = new AsyncResource('rpm-request-log-context');
      logScope.set(request, scope);
      scope.runInAsyncScope(done, request.raw);
    });
  });
  instance.addHook('preValidation', (request, _reply, done) => {
    const scope = logScope.get(request);
    if (scope) scope.runInAsyncScope(done, request.raw);
    else done();
  });
}
