/** Thrown by a probe to stop waiting at once (the process being waited on has exited, say). */
export class GiveUp extends Error {}

/**
 * Polls `probe` until it returns a value other than undefined. A probe that throws is retried until
 * the timeout, which then reports the last error; one that throws GiveUp ends the wait at once.
 */
export async function waitFor<T>(description: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      if (error instanceof GiveUp) throw new Error(`gave up waiting for ${description}: ${error.message}`);
      lastError = error;
    }
    if (Date.now() > deadline) {
      const detail = lastError instanceof Error ? `: ${lastError.message}` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${description}${detail}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
