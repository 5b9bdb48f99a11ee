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
}

export const ALERT_CHANNELS = Symbol('ALERT_CHANNELS');
