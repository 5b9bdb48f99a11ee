import { ConsoleLogger, type LogLevel } from '@nestjs/common';
import { AsyncLocalStorage } from 'node:async_hooks';

const LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

/** Ids that tie a log line to what was being handled: the API's request id, the reading message or event. */
export interface LogContext {
  requestId?: string;
  eventId?: string;
  deviceId?: string;
  patientId?: string;
}

const logContext = new AsyncLocalStorage<LogContext>();

/**
 * Runs `work` with ids that every JSON log line written inside it (and in what it awaits) carries,
 * so the lines of one request or one reading message can be found together.
 */
export function withLogContext<T>(context: LogContext, work: () => T): T {
  return logContext.run({ ...logContext.getStore(), ...context }, work);
}

/** The ids of what is being handled now, if any. */
export function currentLogContext(): LogContext | undefined {
  return logContext.getStore();
}

type JsonLogOptions = {
  context: string;
  logLevel: LogLevel;
  writeStreamType?: 'stdout' | 'stderr';
  errorStack?: unknown;
  params?: Record<string, unknown>;
  error?: Error;
};

/** ConsoleLogger's JSON lines, with the ids of the request or event being handled beside the message. */
class ContextJsonLogger extends ConsoleLogger {
  protected override getJsonLogObject(message: unknown, options: JsonLogOptions) {
    const logObject = super.getJsonLogObject(message, options);
    const context = logContext.getStore();
    if (!context) return logObject;
    for (const [key, value] of Object.entries(context)) if (value !== undefined && !(key in logObject)) logObject[key] = value;
    return logObject;
  }
}

/** Structured JSON lines on stdout, one per event, tagged with the app's name. Never log reading values. */
export function jsonLogger(appName: string, level: 'error' | 'warn' | 'log' | 'debug' | 'verbose'): ConsoleLogger {
  return new ContextJsonLogger(appName, { json: true, logLevels: LEVELS.slice(0, LEVELS.indexOf(level) + 1), colors: false });
}
