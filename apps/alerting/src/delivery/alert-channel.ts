/** What a channel is told about an alert. Channels get no reading values beyond the alert's own sentence. */
export interface AlertNotification {
  /** opened; escalated: nobody acknowledged it in time; raised: a more severe rule of its episode fired (severity is the new one). */
  event: 'opened' | 'escalated' | 'raised';
  alertId: string;
  patientId: string;
  ruleId: string;
  ruleVersion: number;
  severity: string;
  title: string;
  reason: string;
  /** When the condition began (for missing data: the last reading's time). */
  openedAt: string;
  /** When alerting raised the alert. */
  raisedAt: string;
}

/**
 * One way of telling the care team: a signed webhook, e-mail (SMTP) and SMS (an SMS gateway's HTTP API)
 * implement it. send() resolves when the receiver accepted the notification and throws otherwise, and the
 * delivery worker records each attempt and retries.
 */
export interface AlertChannel {
  readonly name: string;
  send(notification: AlertNotification): Promise<void>;
  /** A follow-up reminder to one staff member (the follow-up job); a channel without it is skipped. */
  sendStaffReminder?(reminder: StaffReminder): Promise<void>;
}

/** A follow-up reminder for the staff member responsible: no patient name, the link back is the patient id. */
export interface StaffReminder {
  kind: 'due_in_7_days' | 'due_in_3_days' | 'due_today';
  patientId: string;
  dueAt: string;
  recipient: { id: string; email: string; phone: string | null; displayName: string };
}

export const ALERT_CHANNELS = Symbol('ALERT_CHANNELS');

/** A message to the patient: a follow-up reminder, or a fresh link to their own page that they asked for. */
export type PatientMessage = PatientReminderToSend | PatientSignInLinkToSend;

interface PatientMessageBase {
  patientId: string;
  language: string;
  to: { phone: string | null; email: string | null };
  subject: string;
  text: string;
  /** What a voice call reads out. */
  spoken: string;
}

/** A follow-up reminder: the channel reaches the patient at their own address. */
export interface PatientReminderToSend extends PatientMessageBase {
  kind: 'due_in_7_days' | 'due_in_3_days' | 'due_today';
  dueAt: string;
  /** One-action links for the due contact, and the patient's own page (readings, questionnaires due). */
  links: { confirm: string; reschedule: string; page: string };
}

/** A new link to the patient's own page, asked for at /p/sign-in: useless to a voice call, which cannot carry it. */
export interface PatientSignInLinkToSend extends PatientMessageBase {
  kind: 'sign_in_link';
  links: { page: string };
  expiresAt: string;
}

/** A channel that can reach a patient; a patient's preferred channels are tried in order until one accepts. */
export interface PatientChannel {
  readonly name: string;
  sendToPatient(message: PatientMessage): Promise<void>;
}

export const PATIENT_CHANNELS = Symbol('PATIENT_CHANNELS');
