import { createHash } from 'node:crypto';
import { Client } from 'pg';

export interface ChainVerdict {
  entries: number;
  /** The first entry whose hash or link does not match, when the chain is broken. */
  brokenAt?: { seq: number; problem: string };
}

const GENESIS = '0'.repeat(64);

/**
 * Recomputes the audit log's hash chain outside the database's own trigger: each entry's SHA-256 over its
 * canonical text, and each entry's link to the hash of the one before.
 */
export async function verifyAuditChain(databaseUrl: string, onProgress?: (checked: number) => void): Promise<ChainVerdict> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    let previous = GENESIS;
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
        previous = row.hash;
        checked++;
        afterSeq = seq;
      }
      onProgress?.(checked);
    }
  } finally {
    await client.end();
  }
}
