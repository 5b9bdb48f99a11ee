import type { DataSource } from 'typeorm';

export interface NewUser {
  email: string;
  displayName: string;
  role: string;
  passwordHash: string;
  phone: string | null;
}

/** Accounts and care teams, as administrators create and change them. */
export class AccountRepository {
  constructor(private readonly dataSource: DataSource) {}

  async createCareTeam(name: string): Promise<{ id: string; name: string }> {
    const [team] = await this.dataSource.query('INSERT INTO care_teams (name) VALUES ($1) RETURNING id, name', [name]);
    return team;
  }

  async careTeamExists(careTeamId: string): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query('SELECT 1 FROM care_teams WHERE id = $1', [careTeamId]);
    return rows.length > 0;
  }

  async userExists(userId: string): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query('SELECT 1 FROM users WHERE id = $1', [userId]);
    return rows.length > 0;
  }

  async addCareTeamMember(careTeamId: string, userId: string): Promise<void> {
    await this.dataSource.query('INSERT INTO care_team_members (care_team_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING', [careTeamId, userId]);
  }

  /** Creates the user; null when the e-mail is taken. */
  async createUser(user: NewUser): Promise<{ id: string; email: string; displayName: string; role: string } | null> {
    const rows = await this.dataSource.query(
      `INSERT INTO users (email, display_name, role, password_hash, phone) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (email) DO NOTHING RETURNING id, email, display_name AS "displayName", role`,
      [user.email, user.displayName, user.role, user.passwordHash, user.phone],
    );
    return rows[0] ?? null;
  }

  /** Disables the account and ends its sessions in one transaction; null when there is no such user. */
  disableUser(userId: string): Promise<{ id: string; disabledAt: Date } | null> {
    return this.dataSource.transaction(async (manager) => {
      // An UPDATE answers [rows, count].
      const [[row]]: [{ id: string; disabledAt: Date }[], number] = await manager.query(
        `UPDATE users SET disabled_at = COALESCE(disabled_at, now()) WHERE id = $1 RETURNING id, disabled_at AS "disabledAt"`,
        [userId],
      );
      if (row) await manager.query('DELETE FROM sessions WHERE user_id = $1', [userId]);
      return row ?? null;
    });
  }

  async enableUser(userId: string): Promise<{ id: string; disabledAt: null } | null> {
    const [[user]]: [{ id: string; disabledAt: null }[], number] = await this.dataSource.query(
      `UPDATE users SET disabled_at = NULL WHERE id = $1 RETURNING id, disabled_at AS "disabledAt"`,
      [userId],
    );
    return user ?? null;
  }
}
