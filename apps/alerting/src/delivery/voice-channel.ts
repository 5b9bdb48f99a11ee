import type { PatientChannel, PatientMessage } from './alert-channel';

/**
 * Reminders read out by a voice-call provider's HTTP API: one POST of {to, language, text} with a bearer
 * token (VOICE_URL, VOICE_TOKEN); the provider places the call and answers 2xx once it has accepted it.
 * The spoken text carries no link: the patient confirms through the links of their other messages.
 */
export class VoiceChannel implements PatientChannel {
  readonly name = 'voice';

  constructor(
    private readonly url: string,
    private readonly token: string,
  ) {}

  async sendToPatient(message: PatientMessage): Promise<void> {
    if (message.kind === 'sign_in_link') throw new Error('a voice call cannot carry a link');
    if (!message.to.phone) throw new Error('the patient has no phone number');
    const response = await fetch(this.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${this.token}` },
      body: JSON.stringify({ to: message.to.phone, language: message.language, text: message.spoken }),
      signal: AbortSignal.timeout(10_000),
    });
    if (!response.ok) throw new Error(`voice provider answered ${response.status}`);
  }
}
