import type { Registry } from 'prom-client';
import { createHttpServer } from './http-server';

export interface HealthResponse {
  status: number;
  type: string;
  body: string;
}

export type HealthRoute = (method: string, path: string) => Promise<HealthResponse>;

export const jsonResponse = (status: number, body: unknown): HealthResponse => ({ status, type: 'application/json', body: JSON.stringify(body) });

export interface HealthRoutes {
  /** The readiness answer, a body with its status; served on GET /health/ready and GET /health. */
  ready(): Promise<{ status: number; body: unknown }>;
  /** Served on GET /metrics. Scraping reads: it must never log, alarm or change state. */
  metrics: Registry;
}

/**
 * The routes every app's operability port serves: GET /health/live (the process answers: liveness),
 * GET /health/ready and GET /health (it can do its work: readiness), GET /metrics (Prometheus).
 */
export function healthRoutes({ ready, metrics }: HealthRoutes): HealthRoute {
  return async (method, path) => {
    if (method !== 'GET') return jsonResponse(404, { message: 'not found' });
    if (path === '/metrics') return { status: 200, type: metrics.contentType, body: await metrics.metrics() };
    if (path === '/health/live') return jsonResponse(200, { status: 'ok' });
    if (path === '/health/ready' || path === '/health') {
      const { status, body } = await ready();
      return jsonResponse(status, body);
    }
    return jsonResponse(404, { message: 'not found' });
  };
}

export interface HealthServerOptions {
  host: string;
  port: number;
  /** Names the port setting in the error an operator sees when the port is taken. */
  variable: string;
  /** HTTPS when a certificate and key are configured. */
  tls?: { cert: Buffer; key: Buffer };
}

/**
 * A bare HTTP server for an app's /health and /metrics: no framework, so it answers even when the app's
 * own request handling is busy.
 */
export async function listenHealthServer({ host, port, variable, tls }: HealthServerOptions, route: HealthRoute): Promise<{ close(): Promise<void> }> {
  const server = createHttpServer(tls, (request, response) => {
    route(request.method ?? 'GET', (request.url ?? '/').split('?')[0]).then(
      ({ status, type, body }) => response.writeHead(status, { 'content-type': type }).end(body),
      (error: Error) => response.writeHead(500, { 'content-type': 'text/plain' }).end(error.message),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new Error(`${variable} ${port} on ${host} is already in use; set ${variable} to a free port`) : error),
    );
    server.listen(port, host, () => resolve());
  });
  return {
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
