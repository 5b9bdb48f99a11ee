import { Client } from 'pg';

/**
 * The role whose privileges the apps work with (created and granted by the migrations): reads and writes
 * the working tables, only appends to audit_log. The apps log in as it, or as a login role that is a member.
 */
export const APPLICATION_ROLE = 'rpm_app';

const DUPLICATE_OBJECT = '42710';
const UNIQUE_VIOLATION = '23505';

async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** The same server and database as `url`, logged in as another role. */
export function urlForRole(url: string, role: string, password: string): string {
  const parsed = new URL(url);
  parsed.username = encodeURIComponent(role);
  parsed.password = encodeURIComponent(password);
  return parsed.toString();
}

/**
 * Lets `rpm_app` itself log in with `password` (the single-machine set-up, where the launcher owns the
 * cluster). Run after the migrations, which create the role.
 */
export async function enableApplicationLogin(ownerUrl: string, password: string): Promise<string> {
  await withClient(ownerUrl, (client) => client.query(`ALTER ROLE ${APPLICATION_ROLE} LOGIN PASSWORD ${client.escapeLiteral(password)}`));
  return urlForRole(ownerUrl, APPLICATION_ROLE, password);
}

/**
 * Creates a login role that is a member of `rpm_app` (one per app or instance, so each can be revoked
 * alone). Roles are cluster-wide: a concurrent creator of the same name is not an error.
 */
export async function createApplicationLogin(ownerUrl: string, login: string, password: string): Promise<string> {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(login)) throw new Error(`not a plain role name: ${login}`);
  await withClient(ownerUrl, async (client) => {
    try {
      await client.query(`CREATE ROLE ${login} LOGIN PASSWORD ${client.escapeLiteral(password)} IN ROLE ${APPLICATION_ROLE}`);
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code !== DUPLICATE_OBJECT && code !== UNIQUE_VIOLATION) throw error;
    }
  });
  return urlForRole(ownerUrl, login, password);
}

/**
 * What the role behind `url` could do to the audit log beyond appending to it, in sentences for a start-up
 * warning; empty for a proper application role.
 */
export async function auditLogRisks(url: string): Promise<string[]> {
  return withClient(url, async (client) => {
    const { rows } = await client.query<{ role: string; superuser: boolean; owner: boolean; rewrite: string[] }>(`
      SELECT current_user AS role, r.rolsuper AS superuser, pg_has_role(current_user, c.relowner, 'USAGE') AS owner,
        array_remove(ARRAY[
          CASE WHEN has_table_privilege(c.oid, 'UPDATE') THEN 'UPDATE' END,
          CASE WHEN has_table_privilege(c.oid, 'DELETE') THEN 'DELETE' END,
          CASE WHEN has_table_privilege(c.oid, 'TRUNCATE') THEN 'TRUNCATE' END], NULL) AS rewrite
      FROM pg_roles r, pg_class c WHERE r.rolname = current_user AND c.oid = 'audit_log'::regclass`);
    const [row] = rows;
    if (!row) return [];
    const risks: string[] = [];
    if (row.superuser) risks.push(`${row.role} is a superuser`);
    if (row.owner) risks.push(`${row.role} owns audit_log (it can disable its triggers or drop it)`);
    if (row.rewrite.length) risks.push(`${row.role} may ${row.rewrite.join(', ')} audit_log`);
    return risks;
  });
}
