import { createHmac } from 'node:crypto';
import type { AlertChannel, AlertNotification, PatientChannel, PatientMessage, StaffReminder } from './alert-channel';

/**
 * POSTs the notification as JSON with `x-rpm-timestamp` and `x-rpm-signature: sha256=<hex>`, the
 * HMAC-SHA256 of `${timestamp}.${body}` under the shared secret, so a receiver can check origin and
 * freshness (the scheme Stripe and Slack use).
 */
export class WebhookChannel implements AlertChannel, PatientChannel {
  readonly name = 'webhook';

  constructor(
    private readonly url: string,
    private readonly secret: string,
    private readonly timeoutMs = 10_000,
  ) {}

  static sign(secret: string, timestamp: string, body: string): string {
    return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
  }

  async send(notification: AlertNotification): Promise<void> {
    await this.post(JSON.stringify(notification));
  }

  /** The reminder as `{ type: 'follow_up_reminder', ... }`, for a receiver that routes it to the staff member. */
  async sendStaffReminder(reminder: StaffReminder): Promise<void> {
    const { recipient, ...rest } = reminder;
    await this.post(JSON.stringify({ type: 'follow_up_reminder', ...rest, recipient: { id: recipient.id, email: recipient.email } }));
  }

  /** For an IM or app-push relay: `{ type: 'patient_reminder', ... }` with the text and both links, no contact details. */
  async sendToPatient(message: PatientMessage): Promise<void> {
    const { to: _to, ...rest } = message;
    await this.post(JSON.stringify({ type: message.kind === 'sign_in_link' ? 'patient_sign_in_link' : 'patient_reminder', ...rest }));
  }

  private async post(body: string): Promise<void> {
    const timestamp = String(Math.floor(Date.now() / 1000));
    const response = await fetch(this.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-rpm-timestamp': timestamp, 'x-rpm-signature': WebhookChannel.sign(this.secret, timestamp, body) },
      body,
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    if (!response.ok) throw new Error(`webhook answered ${response.status}`);
  }
}
