import { createServer, type Server } from 'node:http';

export interface HealthResponse {
  status: number;
  type: string;
  body: string;
}

export type HealthRoute = (method: string, path: string) => Promise<HealthResponse>;

export const jsonResponse = (status: number, body: unknown): HealthResponse => ({ status, type: 'application/json', body: JSON.stringify(body) });

/**
 * A bare HTTP server for an app's /health and /metrics: no framework, so it answers even when the app's
 * own request handling is busy. `variable` names the port setting for the error an operator sees.
 */
export async function listenHealthServer(host: string, port: number, variable: string, route: HealthRoute): Promise<{ close(): Promise<void> }> {
  const server: Server = createServer((request, response) => {
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
