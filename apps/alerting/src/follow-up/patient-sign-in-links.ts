import { Logger } from '@nestjs/common';
import { patientSignInMessage } from '@rpm/clinical';
import { PatientContactRepository, PatientSignInRepository, type DueSignInLink } from '@rpm/persistence';
import { signPatientPageLink } from '@rpm/security';
import type { DataSource } from 'typeorm';
import type { PatientChannel, PatientSignInLinkToSend } from '../delivery/alert-channel';
import type { JobFailures } from '../jobs/job-failures';
import { sendThroughPreferred } from '../delivery/preferred-channels';
import type { PatientLinkConfig } from './patient-reminders';

const DAY = 86_400_000;
/** A link asked for is for now: a week, shorter than the 30 days of a reminder's page link. */
export const SIGN_IN_LINK_DAYS = 7;
const MAX_ATTEMPTS = 5;

/**
 * Sends the fresh page links patients ask for at /p/sign-in (recorded by the API, which has no channels): a
 * signed 'view' link to the patient's own page, through the patient's preferred channels in order, the next
 * when one fails (a voice call cannot carry a link and is skipped). Not held back by quiet hours: the patient
 * asked for it a moment ago. Only with contact_channels consent in force at sending time, too. Retried with
 * backoff when every channel fails, up to 5 times.
 */
export class PatientSignInLinks {
  private readonly logger = new Logger(PatientSignInLinks.name);
  private readonly contacts: PatientContactRepository;
  private readonly links: PatientSignInRepository;
  private readonly channels: Map<string, PatientChannel>;

  constructor(
    dataSource: DataSource,
    channels: PatientChannel[],
    private readonly config: PatientLinkConfig,
    private readonly failures: JobFailures,
  ) {
    this.contacts = new PatientContactRepository(dataSource);
    this.links = new PatientSignInRepository(dataSource);
    this.channels = new Map(channels.map((channel) => [channel.name, channel]));
  }

  async runOnce(now: Date = new Date()): Promise<void> {
    for (const link of await this.links.claimDue(now)) {
      await this.failures.isolate('patient-sign-in-links', { patientId: link.patient_id }, () => this.deliver(link, now));
    }
  }

  /** When the next pending request is due (a retry's time, a claim ending); undefined when none is pending. */
  nextDueAt(): Promise<Date | undefined> {
    return this.links.nextDueAt();
  }

  private async deliver(link: DueSignInLink, now: Date): Promise<void> {
    if (!(await this.contacts.activeScopes(link.patient_id)).includes('contact_channels')) {
      await this.links.settle(link, { status: 'cancelled', error: 'no contact_channels consent' });
      return;
    }
    const contact = await this.contacts.contact(link.patient_id);
    const expiresAtMs = now.getTime() + SIGN_IN_LINK_DAYS * DAY;
    const page = `${this.config.baseUrl.replace(/\/$/, '')}/p/${signPatientPageLink(this.config.secret, {
      patientId: link.patient_id,
      expiresAt: Math.floor(expiresAtMs / 1000),
    })}`;
    const message: PatientSignInLinkToSend = {
      patientId: link.patient_id,
      kind: 'sign_in_link',
      language: contact.language,
      to: { phone: contact.phone, email: contact.email },
      ...patientSignInMessage(contact.language, page, SIGN_IN_LINK_DAYS),
      links: { page },
      expiresAt: new Date(expiresAtMs).toISOString(),
    };
    const outcome = await sendThroughPreferred(this.channels, contact.channels, message);
    if ('sentBy' in outcome) {
      await this.links.settle(link, { status: 'sent', channel: outcome.sentBy, at: now });
      this.logger.log({ message: 'patient sign-in link sent', patientId: link.patient_id, channel: outcome.sentBy });
      return;
    }
    const attempts = link.attempts + 1;
    const error = outcome.errors.join('; ');
    await this.links.settle(link, {
      status: attempts >= MAX_ATTEMPTS ? 'failed' : 'pending',
      error,
      retryAt: new Date(now.getTime() + 30_000 * 2 ** (attempts - 1)),
    });
    this.logger.warn({ message: 'patient sign-in link not delivered', patientId: link.patient_id, attempts, error });
  }
}
