import { AUDIT_CHECKPOINT_FILE_NAME, AUDIT_CHECKPOINT_KEY_FILE, readAuditCheckpointFile, verifyAuditChain, type ParsedCheckpoints } from '@rpm/persistence';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * `npm run audit:verify`: checks the audit log's hash chain in DATABASE_URL, and against the signed
 * checkpoints the API keeps outside the database (AUDIT_CHECKPOINT_FILE and AUDIT_CHECKPOINT_KEY, or, with
 * DATA_DIR set, the ones `npm start` keeps there). Exit 1 when the chain is broken or a checkpoint disagrees.
 */
function checkpointSource(): { file: string; key: string } | { missing: string } | undefined {
  const dataDir = process.env.DATA_DIR;
  const keyFile = dataDir && path.join(dataDir, AUDIT_CHECKPOINT_KEY_FILE);
  const launcherKey = keyFile && existsSync(keyFile) ? readFileSync(keyFile, 'utf8').trim() : undefined;
  const file = process.env.AUDIT_CHECKPOINT_FILE ?? (dataDir ? path.join(dataDir, AUDIT_CHECKPOINT_FILE_NAME) : undefined);
  const key = process.env.AUDIT_CHECKPOINT_KEY ?? launcherKey;
  if (!file && !key) return undefined;
  if (!file || !key) return { missing: file ? 'AUDIT_CHECKPOINT_KEY' : 'AUDIT_CHECKPOINT_FILE' };
  return { file, key };
}

async function main(): Promise<void> {
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) {
    process.stderr.write('audit:verify needs DATABASE_URL (the platform database)\n');
    process.exit(2);
  }
  const source = checkpointSource();
  if (source && 'missing' in source) {
    process.stderr.write(`audit:verify needs ${source.missing} too: the checkpoint file and its key go together\n`);
    process.exit(2);
  }
  let parsed: ParsedCheckpoints | undefined;
  const problems: string[] = [];
  if (source) {
    if (existsSync(source.file)) parsed = await readAuditCheckpointFile(source.file);
    else problems.push(`the checkpoint file ${source.file} does not exist: it was deleted, or the API never wrote one`);
  }

  const verdict = await verifyAuditChain(databaseUrl, {
    onProgress: (checked) => process.stderr.write(`\rchecked ${checked} entries`),
    checkpoints: parsed && source ? { parsed, key: source.key } : undefined,
  });
  process.stderr.write('\n');
  if (verdict.brokenAt) {
    problems.unshift(`audit log BROKEN at entry ${verdict.brokenAt.seq}: ${verdict.brokenAt.problem} (${verdict.entries} entries before it verified)`);
  }
  if (parsed && parsed.checkpoints.length === 0 && verdict.entries > 0) {
    problems.push(`the checkpoint file ${source!.file} holds no checkpoint: it was emptied, or the API never wrote one`);
  }
  problems.push(...(verdict.checkpoints?.problems ?? []).map((problem) => `audit log TAMPERED: ${problem}`));

  if (problems.length) {
    process.stdout.write(`${problems.join('\n')}\n`);
    process.exit(1);
  }
  const anchored = verdict.checkpoints
    ? `, consistent with ${verdict.checkpoints.checked} signed checkpoints in ${source && 'file' in source ? source.file : ''}`
    : ' (no checkpoints given: deletion of the newest entries, truncation or a recomputed chain would go unnoticed; set AUDIT_CHECKPOINT_FILE and AUDIT_CHECKPOINT_KEY)';
  process.stdout.write(`audit log intact: ${verdict.entries} entries verified${anchored}\n`);
}

main().catch((error: Error) => {
  process.stderr.write(`audit:verify failed: ${error.message}\n`);
  process.exit(2);
});
