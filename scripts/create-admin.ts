import { createUserRequestSchema } from '@rpm/contracts';
import { hashPassword, newSecret } from '@rpm/security';
import { parseArgs } from 'node:util';
import { Client } from 'pg';

const USAGE = `Usage: DATABASE_URL=postgres://... [ADMIN_PASSWORD=...] npm run admin:create -- --email EMAIL --name "DISPLAY NAME"

Creates an administrator account: the first account of a new installation, since every other account is
created by an administrator through the API (POST /admin/users). The password comes from ADMIN_PASSWORD
(at least 12 characters) or, when that is not set, is generated and printed once.
`;

/** `npm run admin:create`: the first administrator of an installation, straight into PostgreSQL. */
async function main(): Promise<void> {
  const { values } = parseArgs({ options: { email: { type: 'string' }, name: { type: 'string' }, help: { type: 'boolean', default: false } } });
  if (values.help) return void process.stdout.write(USAGE);
  const databaseUrl = process.env.DATABASE_URL || undefined;
  const given = process.env.ADMIN_PASSWORD || undefined;
  const generated = given ? undefined : newSecret();
  const request = createUserRequestSchema.safeParse({ email: values.email, displayName: values.name, role: 'admin', password: given ?? generated });
  if (!databaseUrl || !request.success) {
    const problems = [
      ...(databaseUrl ? [] : ['DATABASE_URL is not set']),
      ...(request.success
        ? []
        : request.error.issues.map(
            (issue) =>
              `${issue.path.join('.') === 'displayName' ? '--name' : issue.path.join('.') === 'password' ? 'ADMIN_PASSWORD' : `--${issue.path.join('.')}`}: ${issue.message}`,
          )),
    ];
    process.stderr.write(`admin:create: ${problems.join('; ')}\n\n${USAGE}`);
    process.exit(2);
  }
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const email = request.data.email.toLowerCase();
    const inserted = await client.query(
      `INSERT INTO users (email, display_name, role, password_hash) VALUES ($1, $2, 'admin', $3) ON CONFLICT (email) DO NOTHING RETURNING id`,
      [email, request.data.displayName, await hashPassword(request.data.password)],
    );
    if (inserted.rowCount === 0) {
      process.stderr.write(`admin:create: an account with the e-mail ${email} exists already; nothing changed\n`);
      process.exit(1);
    }
    process.stdout.write(`administrator ${email} created (id ${inserted.rows[0].id})\n`);
    if (generated) process.stdout.write(`password (shown once): ${generated}\n`);
  } finally {
    await client.end();
  }
}

main().catch((error: Error) => {
  process.stderr.write(`admin:create failed: ${error.message}\n`);
  process.exit(2);
});
