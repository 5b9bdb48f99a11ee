import type { CareTeamScope } from '@rpm/persistence';
import type { AlertChannel, AlertNotification, PatientChannel, PatientMessage, StaffReminder } from './alert-channel';

/**
 * Urgent alerts by SMS to the care team's clinicians who have a mobile number, through an SMS gateway's
 * HTTP API: one POST of {to, text} per recipient with a bearer token (the shape most SMS gateways and
 * in-house relays accept; a provider with another shape is one small class like this one). Warnings
 * are not texted: SMS is for what cannot wait.
 */
export class SmsChannel implements AlertChannel, PatientChannel {
  readonly name = 'sms';

  constructor(
    private readonly gatewayUrl: string,
    private readonly token: string,
    private readonly careTeams: CareTeamScope,
  ) {}

  async send(notification: AlertNotification): Promise<void> {
    if (notification.severity !== 'urgent') return;
    const phones = await this.careTeams.clinicianPhones(notification.patientId);
    const prefix = { opened: '', escalated: 'ESCALATED: ', raised: 'RAISED TO URGENT: ' }[notification.event];
    // 160 characters: one SMS segment. The alert id lets the clinician find it after log-in.
    const text = `${prefix}${notification.reason}`.slice(0, 140) + ` [${notification.alertId.slice(0, 8)}]`;
    for (const phone of phones) await this.text(phone, text);
  }

  /** Only the same-day reminder is texted, to the staff member's own number. */
  async sendStaffReminder(reminder: StaffReminder): Promise<void> {
    if (reminder.kind !== 'due_today' || !reminder.recipient.phone) return;
    await this.text(reminder.recipient.phone, `Follow-up contact due today [${reminder.patientId.slice(0, 8)}]`);
  }

  /** A reminder to the patient's own mobile number, with its two links. */
  async sendToPatient(message: PatientMessage): Promise<void> {
    if (!message.to.phone) throw new Error('the patient has no phone number');
    await this.text(message.to.phone, message.text);
  }

  private async text(phone: string, text: string): Promise<void> {
    const response = await fetch(this.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${this.token}` },
      body: JSON.stringify({ to: phone, text }),
      signal: AbortSignal.timeout(10_000),
    });
    if (!response.ok) throw new Error(`SMS gateway answered ${response.status}`);
  }
}
