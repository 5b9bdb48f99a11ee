import { Catch, HttpException, HttpStatus, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { STATUS_CODES } from 'node:http';
import { EntityNotFoundError, QueryFailedError } from 'typeorm';

/** The one error body of the API (Nest's own): every 4xx and 5xx answers with it. */
export interface ApiErrorBody {
  statusCode: number;
  error: string;
  message: string | string[];
}

/**
 * PostgreSQL refuses some values as data errors (class 22: out-of-range date, NUL byte, bad number) or
 * constraint violations (class 23). Validation should stop them first; if one slips through it is still
 * the caller's input, so a 4xx, never a 500.
 */
function statusOfQueryFailure(error: QueryFailedError): number | undefined {
  const code = (error.driverError as { code?: unknown } | undefined)?.code;
  if (typeof code !== 'string') return undefined;
  if (code.startsWith('22')) return HttpStatus.BAD_REQUEST;
  if (code === '23505' || code === '23503') return HttpStatus.CONFLICT;
  if (code.startsWith('23')) return HttpStatus.BAD_REQUEST;
  return undefined;
}

/** Maps what a handler, a guard, a pipe or Fastify's body parser throws to the status and the one body. */
export function toApiError(exception: unknown): ApiErrorBody {
  if (exception instanceof HttpException) {
    const statusCode = exception.getStatus();
    const response = exception.getResponse();
    const message = typeof response === 'string' ? response : ((response as { message?: string | string[] }).message ?? exception.message);
    return { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message };
  }
  if (exception instanceof EntityNotFoundError) return { statusCode: 404, error: STATUS_CODES[404]!, message: 'not found' };
  if (exception instanceof QueryFailedError) {
    const statusCode = statusOfQueryFailure(exception);
    if (statusCode) return { statusCode, error: STATUS_CODES[statusCode]!, message: 'the database refused this input' };
  }
  // Fastify's own client errors (malformed JSON, unsupported content type, body too large) carry a 4xx statusCode.
  const statusCode = (exception as { statusCode?: unknown } | null)?.statusCode;
  if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
    return { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message: (exception as Error).message };
  }
  return { statusCode: 500, error: STATUS_CODES[500]!, message: 'Internal server error' };
}

/** Global: one error shape for every route, with the request id in the log of every server error. */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('ApiExceptionFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const request = host.switchToHttp().getRequest<FastifyRequest>();
    const body = toApiError(exception);
    if (body.statusCode >= 500 || exception instanceof QueryFailedError) {
      const error = exception instanceof Error ? { name: exception.name, message: exception.message, stack: exception.stack } : { message: String(exception) };
      this.logger.error({ message: 'request failed', requestId: request?.id, method: request?.method, url: request?.url, status: body.statusCode, error });
    }
    // A stream (server-sent events) that fails after its headers went out can only be ended.
    if (reply.sent || reply.raw.headersSent) {
      reply.raw.end();
      return;
    }
    void reply.status(body.statusCode).header('content-type', 'application/json; charset=utf-8').send(body);
  }
}
