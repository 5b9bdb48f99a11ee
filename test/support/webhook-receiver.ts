import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { freePort } from './free-port';

export interface ReceivedWebhook {
  body: Record<string, unknown>;
  signatureValid: boolean;
}

/** An HTTP endpoint that records alert webhooks and checks their HMAC signature, as a receiver would. */
export class WebhookReceiver {
  /** The status it answers with; set 500 to play a failing receiver (its requests are still recorded). */
  status = 204;

  private constructor(
    private readonly server: Server,
    readonly url: string,
    readonly received: ReceivedWebhook[],
  ) {}

  static async start(secret: string): Promise<WebhookReceiver> {
    const port = await freePort();
    const received: ReceivedWebhook[] = [];
    let self: WebhookReceiver | undefined = undefined;
    const server = createServer((request, response) => {
      let raw = '';
      request.on('data', (chunk) => (raw += chunk));
      request.on('end', () => {
        const timestamp = String(request.headers['x-rpm-timestamp']);
        const expected = `sha256=${createHmac('sha256', secret).update(`${timestamp}.${raw}`).digest('hex')}`;
        received.push({ body: JSON.parse(raw), signatureValid: request.headers['x-rpm-signature'] === expected });
        response.writeHead(self?.status ?? 204).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
    self = new WebhookReceiver(server, `http://127.0.0.1:${port}/alerts`, received);
    return self;
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
