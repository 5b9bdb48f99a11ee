import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * A signed statement, kept outside the database, of how far the audit chain had grown: its head entry's
 * seq and hash and the table's row count at a moment. A later chain must still contain that entry with
 * that hash, and at least that many rows; otherwise entries were deleted, truncated or recomputed.
 */
export interface AuditHead {
  seq: number;
  hash: string;
  count: number;
}

export interface AuditCheckpoint extends AuditHead {
  at: string;
  sig: string;
}

export const GENESIS_HASH = '0'.repeat(64);

const signedText = (checkpoint: AuditHead & { at: string }) =>
  `rpm-audit-checkpoint/v1|${checkpoint.seq}|${checkpoint.hash}|${checkpoint.count}|${checkpoint.at}`;

const hmac = (key: string, text: string) => createHmac('sha256', key).update(text, 'utf8').digest('hex');

export function signAuditCheckpoint(head: AuditHead, key: string, at: Date): AuditCheckpoint {
  const unsigned = { seq: head.seq, hash: head.hash, count: head.count, at: at.toISOString() };
  return { ...unsigned, sig: hmac(key, signedText(unsigned)) };
}

export function auditCheckpointSignatureValid(checkpoint: AuditCheckpoint, key: string): boolean {
  const expected = Buffer.from(hmac(key, signedText(checkpoint)), 'hex');
  const given = Buffer.from(typeof checkpoint.sig === 'string' ? checkpoint.sig : '', 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export const formatAuditCheckpoint = (checkpoint: AuditCheckpoint): string => `${JSON.stringify(checkpoint)}\n`;

export interface ParsedCheckpoints {
  checkpoints: { line: number; checkpoint: AuditCheckpoint }[];
  /** Line numbers that are not a checkpoint at all. */
  malformed: number[];
}

export function parseAuditCheckpoints(text: string): ParsedCheckpoints {
  const parsed: ParsedCheckpoints = { checkpoints: [], malformed: [] };
  text.split('\n').forEach((raw, index) => {
    if (!raw.trim()) return;
    try {
      const value = JSON.parse(raw) as Partial<AuditCheckpoint>;
      const wellFormed =
        Number.isSafeInteger(value.seq) &&
        Number.isSafeInteger(value.count) &&
        typeof value.hash === 'string' &&
        typeof value.at === 'string' &&
        typeof value.sig === 'string';
      if (wellFormed) parsed.checkpoints.push({ line: index + 1, checkpoint: value as AuditCheckpoint });
      else parsed.malformed.push(index + 1);
    } catch {
      parsed.malformed.push(index + 1);
    }
  });
  return parsed;
}

/** What the database holds now, as the chain walk found it. */
export interface ChainState {
  /** Entries verified from the start of the chain before it ended or broke. */
  verified: number;
  /** The highest seq in the table, verified or not. */
  headSeq: number;
  /** Rows in the table now. */
  count: number;
  /** Hashes of verified entries at the seqs the checkpoints name. */
  hashAt: ReadonlyMap<number, string>;
}

/**
 * Each problem a checkpoint reveals, as a sentence naming the checkpoint (file line and time) and what the
 * database no longer matches.
 */
export function checkpointProblems(parsed: ParsedCheckpoints, key: string, chain: ChainState): string[] {
  const problems = parsed.malformed.map((line) => `checkpoint line ${line} is not a checkpoint (the file was edited)`);
  for (const { line, checkpoint } of parsed.checkpoints) {
    const named = `checkpoint line ${line} (${checkpoint.at}, entry ${checkpoint.seq})`;
    if (!auditCheckpointSignatureValid(checkpoint, key)) {
      problems.push(`${named} has a bad signature: forged, altered, or signed with another AUDIT_CHECKPOINT_KEY`);
    } else if (checkpoint.seq > chain.headSeq) {
      problems.push(
        chain.headSeq === 0
          ? `${named}: the log is empty now, but held ${checkpoint.seq} entries then: audit_log was truncated or emptied`
          : `${named}: the log now ends at entry ${chain.headSeq}: entries after it were deleted`,
      );
    } else if (
      checkpoint.seq === 0 ? checkpoint.hash !== GENESIS_HASH : chain.hashAt.has(checkpoint.seq) && chain.hashAt.get(checkpoint.seq) !== checkpoint.hash
    ) {
      problems.push(`${named}: entry ${checkpoint.seq} now has another hash: the chain was rewritten and recomputed`);
    } else if (checkpoint.count > chain.count) {
      problems.push(`${named}: the table held ${checkpoint.count} rows then and ${chain.count} now: rows were deleted`);
    }
  }
  return problems;
}
