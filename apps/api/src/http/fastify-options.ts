import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ApiConfig } from '../api.config';
import { toApiError } from './api-exception.filter';
import { requestIdFor } from './request-id';

/**
 * Fastify's own options for the API. Errors the router raises before Nest sees the request (a path
 * parameter over maxParamLength, a malformed URL) get the API's one error body too.
 */
export function apiFastifyOptions(config: ApiConfig) {
  return {
    requestIdHeader: false as const,
    genReqId: requestIdFor,
    // Without trusted proxies X-Forwarded-For is ignored: a client cannot pick its address for the login limits.
    trustProxy: config.trustedProxies.length ? config.trustedProxies : false,
    frameworkErrors: (error: Error, _request: FastifyRequest, reply: FastifyReply) => {
      const body = toApiError(error);
      void reply.status(body.statusCode).send(body);
    },
  };
}
