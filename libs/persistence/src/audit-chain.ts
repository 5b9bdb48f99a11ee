import { createHash } from 'node:crypto';
import { Client } from 'pg';
import { GENESIS_HASH, checkpointProblems, type ParsedCheckpoints } from './audit-checkpoint';

export interface ChainVerdict {
  entries: number;
  /** The first entry whose hash or link does not match, when the chain is broken. */
  brokenAt?: { seq: number; problem: string };
  /** With checkpoints: how many were compared, and what they reveal (tail deleted, truncated, recomputed, forged). */
  checkpoints?: { checked: number; problems: string[] };
}

export interface VerifyOptions {
  onProgress?: (checked: number) => void;
  /** Signed checkpoints from outside the database, and the key they were signed with. */
  checkpoints?: { parsed: ParsedCheckpoints; key: string };
}

/**
 * Recomputes the audit log's hash chain outside the database's own trigger: each entry's SHA-256 over its
 * canonical text, and each entry's link to the hash of the one before. A chain recomputed as a whole, or
 * cut short, is consistent in itself; only the checkpoints kept outside the database reveal it.
 */
export async function verifyAuditChain(databaseUrl: string, options: VerifyOptions = {}): Promise<ChainVerdict> {
  const anchors = new Set(options.checkpoints?.parsed.checkpoints.map(({ checkpoint }) => checkpoint.seq));
  const hashAt = new Map<number, string>();
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const walk = async (): Promise<Omit<ChainVerdict, 'checkpoints'>> => {
      let previous = GENESIS_HASH;
      let checked = 0;
      let afterSeq = 0;
      for (;;) {
        const { rows } = await client.query<{ seq: string; canonical: string; prev_hash: string; hash: string }>(
          `SELECT seq, audit_log_canonical(a) AS canonical, prev_hash, hash FROM audit_log a WHERE seq > $1 ORDER BY seq LIMIT 5000`,
          [afterSeq],
        );
        if (rows.length === 0) return { entries: checked };
        for (const row of rows) {
          const seq = Number(row.seq);
          if (seq !== checked + 1) return { entries: checked, brokenAt: { seq, problem: `entry ${checked + 1} is missing` } };
          if (row.prev_hash !== previous) return { entries: checked, brokenAt: { seq, problem: 'does not link to the entry before it' } };
          const hash = createHash('sha256').update(row.canonical, 'utf8').digest('hex');
          if (hash !== row.hash) return { entries: checked, brokenAt: { seq, problem: 'its content does not match its hash' } };
          if (anchors.has(seq)) hashAt.set(seq, row.hash);
          previous = row.hash;
          checked++;
          afterSeq = seq;
        }
        options.onProgress?.(checked);
      }
    };
    const verdict: ChainVerdict = await walk();
    if (options.checkpoints) {
      const { rows } = await client.query<{ head: string | null; count: string }>('SELECT max(seq) AS head, count(*) AS count FROM audit_log');
      const chain = { verified: verdict.entries, headSeq: Number(rows[0]?.head ?? 0), count: Number(rows[0]?.count ?? 0), hashAt };
      const { parsed, key } = options.checkpoints;
      verdict.checkpoints = { checked: parsed.checkpoints.length, problems: checkpointProblems(parsed, key, chain) };
    }
    return verdict;
  } finally {
    await client.end();
  }
}
