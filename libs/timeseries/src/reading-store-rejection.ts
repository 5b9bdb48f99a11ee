/**
 * The store refused readings for what they hold (a timestamp, a value, a field type), not because it is
 * unavailable: sending the same readings again fails the same way. A drainer must not retry such a batch
 * forever; it isolates the refused readings and sets them aside. Every other error from a store means
 * "try again later".
 */
export class ReadingStoreRejection extends Error {
  constructor(
    /** The store's own words, for the operator who looks at the set-aside reading. */
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`the store refused the readings: ${reason}`, options);
    this.name = 'ReadingStoreRejection';
  }
}

/**
 * PostgreSQL SQLSTATE classes that blame the data: 22 data exception (e.g. 22008 datetime field overflow),
 * 23 integrity constraint violation (a CHECK), 54 program limit exceeded (e.g. an index row too large).
 * Connection (08), operator intervention (57), insufficient resources (53) and the rest are availability.
 */
const POSTGRES_DATA_CLASSES = new Set(['22', '23', '54']);

export function isPostgresDataError(error: unknown): error is Error & { code: string } {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.length === 5 && POSTGRES_DATA_CLASSES.has(code.slice(0, 2));
}

/**
 * InfluxDB answers 400 to a write it will not take as sent (unparsable line, timestamp out of range,
 * field type conflict, "partial write"), 413 to a body too large and, in 2.x/3.x, 422 to points outside
 * retention. 401/403/404 and 5xx are configuration or availability.
 */
const INFLUX_DATA_STATUSES = new Set([400, 413, 422]);

export function isInfluxDataError(error: unknown): error is Error & { statusCode: number } {
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' && INFLUX_DATA_STATUSES.has(status);
}
