import { Logger } from '@nestjs/common';
import { patientReminderMessage, reminderDue, sendableAt, type ReminderKind } from '@rpm/clinical';
import { PatientContactRepository, type DuePatientReminder } from '@rpm/persistence';
import { signPatientLink, signPatientPageLink } from '@rpm/security';
import type { DataSource } from 'typeorm';
import type { PatientChannel, PatientMessage } from '../delivery/alert-channel';
import { sendThroughPreferred } from '../delivery/preferred-channels';
import type { JobFailures } from '../jobs/job-failures';

const DAY = 86_400_000;
const MAX_ATTEMPTS = 8;
/** The page link outlives the one-action links: the patient may come back to it until about the next reminder. */
const PAGE_LINK_DAYS = 30;

export interface PatientLinkConfig {
  secret: string;
  /** The API's public address the links point at, e.g. https://rpm.example.org */
  baseUrl: string;
}

/**
 * Follow-up reminders to the patient, 7 days, 3 days and on the day (the staff windows, reminderDue), each
 * recorded once (primary key) and only with contact_channels consent in force. A reminder due in the
 * patient's quiet hours waits for their end. It goes through the patient's preferred channels in order, the
 * next when one fails; every attempt is recorded; when all fail it is retried with backoff, up to 8 times.
 * Each carries two signed links (confirm, ask to reschedule) valid until a day after the due date, and a link
 * to the patient's own page (GET /p/:token: readings, questionnaires due) valid for 30 days.
 */
export class PatientReminders {
  private readonly logger = new Logger(PatientReminders.name);
  private readonly contacts: PatientContactRepository;
  private readonly channels: Map<string, PatientChannel>;

  constructor(
    dataSource: DataSource,
    channels: PatientChannel[],
    private readonly links: PatientLinkConfig,
    private readonly failures: JobFailures,
  ) {
    this.contacts = new PatientContactRepository(dataSource);
    this.channels = new Map(channels.map((channel) => [channel.name, channel]));
  }

  async runOnce(now: Date): Promise<void> {
    for (const plan of await this.contacts.upcomingForPatients(now)) {
      await this.failures.isolate('follow-up', { patientId: plan.patient_id }, async () => {
        const kind = reminderDue(new Date(plan.next_due_at), now, plan.sent as ReminderKind[]);
        if (kind) await this.contacts.recordReminder(plan.patient_id, new Date(plan.next_due_at), kind, now, now);
      });
    }
    for (const reminder of await this.contacts.claimDue(now)) {
      await this.failures.isolate('follow-up', { patientId: reminder.patient_id }, () => this.deliver(reminder, now));
    }
  }

  private async deliver(reminder: DuePatientReminder, now: Date): Promise<void> {
    if (!(await this.contacts.activeScopes(reminder.patient_id)).includes('contact_channels')) {
      await this.contacts.settle(reminder, { status: 'cancelled', error: 'no contact_channels consent', countAttempt: false });
      return;
    }
    const contact = await this.contacts.contact(reminder.patient_id);
    const from = sendableAt(now, contact.timeZone, contact.quietHours);
    if (from.getTime() > now.getTime()) {
      await this.contacts.settle(reminder, { status: 'pending', error: 'deferred: quiet hours', retryAt: from, countAttempt: false });
      return;
    }
    const dueAt = new Date(reminder.due_at);
    const expiresAt = Math.floor((dueAt.getTime() + DAY) / 1000);
    const link = (action: 'confirm' | 'reschedule') =>
      `${this.links.baseUrl.replace(/\/$/, '')}/p/${signPatientLink(this.links.secret, { action, patientId: reminder.patient_id, dueAt: dueAt.toISOString(), expiresAt })}/${action}`;
    const page = `${this.links.baseUrl.replace(/\/$/, '')}/p/${signPatientPageLink(this.links.secret, {
      patientId: reminder.patient_id,
      expiresAt: Math.floor((now.getTime() + PAGE_LINK_DAYS * DAY) / 1000),
    })}`;
    const links = { confirm: link('confirm'), reschedule: link('reschedule'), page };
    const kind = reminder.kind as ReminderKind;
    const message: PatientMessage = {
      patientId: reminder.patient_id,
      kind,
      dueAt: dueAt.toISOString(),
      language: contact.language,
      to: { phone: contact.phone, email: contact.email },
      ...patientReminderMessage(contact.language, kind, dueAt, contact.timeZone, links),
      links,
    };
    const outcome = await sendThroughPreferred(this.channels, contact.channels, message, (name, error) =>
      this.contacts.recordAttempt(reminder, name, now, error),
    );
    if ('sentBy' in outcome) {
      await this.contacts.recordAttempt(reminder, outcome.sentBy, now);
      await this.contacts.settle(reminder, { status: 'sent', channel: outcome.sentBy, at: now });
      this.logger.log({ message: 'patient reminder sent', patientId: reminder.patient_id, kind, channel: outcome.sentBy });
      return;
    }
    const attempts = reminder.attempts + 1;
    const error = outcome.errors.join('; ');
    await this.contacts.settle(reminder, {
      status: attempts >= MAX_ATTEMPTS ? 'failed' : 'pending',
      error,
      retryAt: new Date(now.getTime() + 60_000 * 2 ** (attempts - 1)),
      countAttempt: true,
    });
    this.logger.warn({ message: 'patient reminder not delivered', patientId: reminder.patient_id, kind, attempts, error });
  }
}
