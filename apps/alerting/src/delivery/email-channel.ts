import { createTransport, type Transporter } from 'nodemailer';
import { formatLocalTime } from '@rpm/clinical';
import type { CareTeamScope } from '@rpm/persistence';
import type { AlertChannel, AlertNotification, PatientChannel, PatientMessage, StaffReminder } from './alert-channel';

/** A clinician reads a time, not an ISO timestamp; recipients differ in time zone, so it says UTC. */
const utc = (at: string | Date): string => `${formatLocalTime(at, 'UTC')} UTC`;

/**
 * E-mails the clinicians of the patient's care teams; an escalation also goes to the escalation address
 * (the on-call clinician or a team lead's mailbox). The message names the alert, never the patient's
 * name: the link back is the alert id, opened in the doctor's page after log-in.
 */
export class EmailChannel implements AlertChannel, PatientChannel {
  readonly name = 'email';
  private readonly transport: Transporter;

  constructor(
    smtpUrl: string,
    private readonly from: string,
    private readonly escalationAddress: string | undefined,
    private readonly careTeams: CareTeamScope,
  ) {
    this.transport = createTransport(smtpUrl);
  }

  async send(notification: AlertNotification): Promise<void> {
    const to = await this.careTeams.clinicianEmails(notification.patientId);
    if (notification.event === 'escalated' && this.escalationAddress) to.push(this.escalationAddress);
    if (to.length === 0) throw new Error('the patient has no clinician with an e-mail address');
    const prefix = { opened: '', escalated: 'ESCALATED, not acknowledged: ', raised: `RAISED to ${notification.severity}: ` }[notification.event];
    await this.transport.sendMail({
      from: this.from,
      to,
      subject: `${prefix}[${notification.severity}] ${notification.title}`,
      text: [
        notification.reason,
        '',
        `Alert ${notification.alertId} (rule ${notification.ruleId} v${notification.ruleVersion}), raised ${utc(notification.raisedAt)} (condition since ${utc(notification.openedAt)}).`,
        "Acknowledge it in the doctor's page to stop escalation.",
      ].join('\n'),
    });
  }

  /** The follow-up reminder to the responsible staff member's own address. */
  async sendStaffReminder(reminder: StaffReminder): Promise<void> {
    const when = reminder.kind === 'due_today' ? 'today' : reminder.kind === 'due_in_3_days' ? 'in 3 days' : 'in 7 days';
    await this.transport.sendMail({
      from: this.from,
      to: reminder.recipient.email,
      subject: `Follow-up contact due ${when}`,
      text: [
        `A follow-up contact is due ${utc(reminder.dueAt)} (patient ${reminder.patientId}).`,
        "Open the worklist in the doctor's page to record the contact.",
      ].join('\n'),
    });
  }

  /** A reminder to the patient's own address, in their language. */
  async sendToPatient(message: PatientMessage): Promise<void> {
    if (!message.to.email) throw new Error('the patient has no e-mail address');
    await this.transport.sendMail({ from: this.from, to: message.to.email, subject: message.subject, text: message.text });
  }
}
