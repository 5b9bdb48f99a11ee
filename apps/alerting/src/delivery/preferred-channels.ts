import type { PatientChannel, PatientMessage } from './alert-channel';

export type PreferredSendOutcome = { sentBy: string } | { errors: string[] };

/**
 * Sends a message to the patient through their preferred channels in order, falling back to the next when
 * one is not configured here or fails; `onFailure` hears each failed channel (to record the attempt).
 * Errors are bounded and free of NUL, since they are stored.
 */
export async function sendThroughPreferred(
  channels: ReadonlyMap<string, PatientChannel>,
  preferred: readonly string[],
  message: PatientMessage,
  onFailure: (channel: string, error: string) => Promise<void> = async () => {},
): Promise<PreferredSendOutcome> {
  const errors: string[] = [];
  for (const name of preferred) {
    const channel = channels.get(name);
    if (!channel) {
      errors.push(`${name}: not configured`);
      continue;
    }
    try {
      await channel.sendToPatient(message);
      return { sentBy: name };
    } catch (error) {
      const text = `${name}: ${(error as Error).message}`.replaceAll('\0', '').slice(0, 1000);
      errors.push(text);
      await onFailure(name, text);
    }
  }
  return { errors: errors.length ? errors : ['the patient has no preferred channel'] };
}
