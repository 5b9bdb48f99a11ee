import { createServer, type RequestListener, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';

/** An HTTP server, or HTTPS when a certificate and key are configured (TLS_CERT_FILE, TLS_KEY_FILE). */
export function createHttpServer(tls: { cert: Buffer; key: Buffer } | undefined, listener: RequestListener): Server {
  return tls ? createHttpsServer(tls, listener) : createServer(listener);
}
