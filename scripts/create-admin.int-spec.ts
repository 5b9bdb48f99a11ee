import { verifyPassword } from '@rpm/security';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { Client } from 'pg';
import { repoRoot } from '../test/support/repo-root';
import { createTestDatabase } from '../test/support/test-services';

const SCRIPT = path.join(repoRoot(), 'dist/scripts/create-admin.js');
const run = (args: string[], env: Record<string, string>) =>
  spawnSync(process.execPath, [SCRIPT, ...args], { env: { ...process.env, ...env }, encoding: 'utf8' });

describe('npm run admin:create: the first administrator of an installation', () => {
  let databaseUrl: string;
  beforeAll(async () => {
    databaseUrl = await createTestDatabase();
  });

  async function userRow(email: string): Promise<{ role: string; password_hash: string } | undefined> {
    const client = new Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      return (await client.query('SELECT role, password_hash FROM users WHERE email = $1', [email])).rows[0];
    } finally {
      await client.end();
    }
  }

  it('creates an administrator with the given password, stored hashed, and refuses the same e-mail twice', async () => {
    const created = run(['--email', 'Ada@Clinic.example', '--name', 'Ada Admin'], { DATABASE_URL: databaseUrl, ADMIN_PASSWORD: 'a long enough password' });
    expect(created.status).toBe(0);
    expect(created.stdout).toContain('administrator ada@clinic.example created');
    expect(created.stdout).not.toContain('a long enough password');
    const row = await userRow('ada@clinic.example');
    expect(row?.role).toBe('admin');
    expect(await verifyPassword('a long enough password', row!.password_hash)).toBe(true);
    const again = run(['--email', 'ada@clinic.example', '--name', 'Ada Again'], { DATABASE_URL: databaseUrl, ADMIN_PASSWORD: 'a long enough password' });
    expect(again.status).toBe(1);
    expect(again.stderr).toContain('exists already');
  });

  it('generates a password and shows it once when ADMIN_PASSWORD is not set', async () => {
    const created = run(['--email', 'bob@clinic.example', '--name', 'Bob'], { DATABASE_URL: databaseUrl, ADMIN_PASSWORD: '' });
    expect(created.status).toBe(0);
    const password = /password \(shown once\): (\S+)/.exec(created.stdout)?.[1];
    expect(password).toBeDefined();
    expect(await verifyPassword(password!, (await userRow('bob@clinic.example'))!.password_hash)).toBe(true);
  });

  it('says what is wrong, all at once, and exits 2', () => {
    const refused = run(['--email', 'not-an-email'], { DATABASE_URL: '', ADMIN_PASSWORD: 'short' });
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain('DATABASE_URL is not set');
    expect(refused.stderr).toContain('--email');
    expect(refused.stderr).toContain('--name');
    expect(refused.stderr).toContain('ADMIN_PASSWORD: at least 12 characters');
  });
});
