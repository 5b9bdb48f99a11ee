/** One server-sent event as a browser's EventSource hands it over. */
export interface ServerSentEvent {
  id?: string;
  data?: string;
}

/**
 * Opens `GET {url}` as text/event-stream (with `Last-Event-ID` when given) and calls `onEvent` for each
 * complete event until the stream ends or `signal` aborts it; resolves when it has ended. Throws when the
 * answer is not 200, naming the status and body.
 */
export async function openEventStream(
  url: string,
  headers: Record<string, string>,
  signal: AbortSignal,
  onEvent: (event: ServerSentEvent) => void,
  lastEventId?: string,
): Promise<{ ended: Promise<void> }> {
  const response = await fetch(url, {
    headers: { ...headers, accept: 'text/event-stream', ...(lastEventId ? { 'last-event-id': lastEventId } : {}) },
    signal,
  });
  if (response.status !== 200) throw new Error(`GET ${url} answered ${response.status}: ${await response.text()}`);
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  const ended = (async () => {
    let buffer = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += value;
        const events = buffer.split('\n\n');
        buffer = events.pop() ?? '';
        for (const event of events) onEvent({ id: /^id: ?(.*)$/m.exec(event)?.[1], data: /^data: ?(.*)$/m.exec(event)?.[1] });
      }
    } catch {
      // aborted by the test, or the server went away
    }
  })();
  return { ended };
}
