import { verifyAuditChain } from '@rpm/persistence';

/** `npm run audit:verify`: checks the audit log's hash chain in DATABASE_URL; exit 1 when it is broken. */
async function main(): Promise<void> {
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) {
    process.stderr.write('audit:verify needs DATABASE_URL (the platform database)\n');
    process.exit(2);
  }
  const verdict = await verifyAuditChain(databaseUrl, (checked) => process.stderr.write(`\rchecked ${checked} entries`));
  process.stderr.write('\n');
  if (verdict.brokenAt) {
    process.stdout.write(`audit log BROKEN at entry ${verdict.brokenAt.seq}: ${verdict.brokenAt.problem} (${verdict.entries} entries before it verified)\n`);
    process.exit(1);
  }
  process.stdout.write(`audit log intact: ${verdict.entries} entries verified\n`);
}

main().catch((error: Error) => {
  process.stderr.write(`audit:verify failed: ${error.message}\n`);
  process.exit(2);
});
