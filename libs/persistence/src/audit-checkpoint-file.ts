import { appendFile, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  GENESIS_HASH,
  formatAuditCheckpoint,
  parseAuditCheckpoints,
  signAuditCheckpoint,
  type AuditCheckpoint,
  type AuditHead,
  type ParsedCheckpoints,
} from './audit-checkpoint';

/** Where `npm start` keeps the checkpoints and their key, under DATA_DIR, when they are not configured. */
export const AUDIT_CHECKPOINT_FILE_NAME = 'audit-checkpoints.jsonl';
export const AUDIT_CHECKPOINT_KEY_FILE = 'audit-checkpoint.key';

/** Runs one SQL statement and returns its rows: a TypeORM DataSource's `query`, or a pg pool adapted. */
export type RunQuery = (sql: string, parameters?: unknown[]) => Promise<Record<string, unknown>[]>;

/** The chain's head and the row count, read in one statement so they belong to the same snapshot. */
export async function readAuditHead(query: RunQuery): Promise<AuditHead> {
  const [row] = await query(`
    SELECT (SELECT count(*) FROM audit_log) AS count, head.seq, head.hash
    FROM (SELECT 1) one LEFT JOIN LATERAL (SELECT seq, hash FROM audit_log WHERE seq IS NOT NULL ORDER BY seq DESC LIMIT 1) head ON true`);
  return { seq: Number(row?.seq ?? 0), hash: (row?.hash as string | null) ?? GENESIS_HASH, count: Number(row?.count ?? 0) };
}

/** The hash the table holds at `seq` now (undefined when the entry is gone). */
export async function auditHashAt(query: RunQuery, seq: number): Promise<string | undefined> {
  if (seq === 0) return GENESIS_HASH;
  const [row] = await query('SELECT hash FROM audit_log WHERE seq = $1', [seq]);
  return (row?.hash as string | undefined) ?? undefined;
}

/**
 * Appends one signed checkpoint line. Appending (never rewriting) is what lets a checkpoint outlive a
 * rewrite of the database; the file's own protection (append-only attribute, log shipping) is the
 * operator's part (docs/deployment.md).
 */
export async function appendAuditCheckpoint(file: string, key: string, head: AuditHead, at = new Date()): Promise<AuditCheckpoint> {
  const checkpoint = signAuditCheckpoint(head, key, at);
  await mkdir(path.dirname(path.resolve(file)), { recursive: true });
  await appendFile(file, formatAuditCheckpoint(checkpoint), { mode: 0o600 });
  return checkpoint;
}

export async function readAuditCheckpointFile(file: string): Promise<ParsedCheckpoints> {
  return parseAuditCheckpoints(await readFile(file, 'utf8'));
}
