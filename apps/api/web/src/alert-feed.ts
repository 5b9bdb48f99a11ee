import { session } from './api.js';
import type { AlertChange } from './types.js';

/**
 * The live alert stream (GET /alerts/stream, server-sent events). EventSource cannot send the bearer
 * token, so the stream is read with fetch; it reconnects after a pause when the connection drops, sending
 * the last event's id (Last-Event-ID, as EventSource would) so the API replays the alerts changed meanwhile.
 */
export function followAlertStream(onChange: (change: AlertChange) => void, signal: AbortSignal): void {
  let lastEventId: string | undefined;
  const connect = async (): Promise<void> => {
    const token = session.token;
    if (!token || signal.aborted) return;
    try {
      const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: 'text/event-stream' };
      if (lastEventId) headers['last-event-id'] = lastEventId;
      const response = await fetch('/alerts/stream', { headers, signal });
      if (response.status === 401) return; // signed out: the page's next API call sends the user to sign in
      if (!response.ok || !response.body) throw new Error(`alert stream answered ${response.status}`);
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        const events = buffer.split('\n\n');
        buffer = events.pop() ?? '';
        for (const event of events) {
          const id = event
            .split('\n')
            .find((line) => line.startsWith('id:'))
            ?.slice(3)
            .trim();
          if (id) lastEventId = id;
          const data = event
            .split('\n')
            .filter((line) => line.startsWith('data:'))
            .map((line) => line.slice(5).trim())
            .join('\n');
          if (data) onChange(JSON.parse(data) as AlertChange);
        }
      }
    } catch {
      // dropped or refused: try again below unless the page moved on
    }
    if (!signal.aborted) setTimeout(() => void connect(), 3000);
  };
  void connect();
}
