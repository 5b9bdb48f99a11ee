import { ConsoleLogger, type LogLevel } from '@nestjs/common';

const LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

/** Structured JSON lines on stdout, one per event, tagged with the app's name. Never log reading values. */
export function jsonLogger(appName: string, level: 'error' | 'warn' | 'log' | 'debug' | 'verbose'): ConsoleLogger {
  return new ConsoleLogger(appName, { json: true, logLevels: LEVELS.slice(0, LEVELS.indexOf(level) + 1), colors: false });
}
