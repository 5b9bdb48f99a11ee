import { Inject, Injectable } from '@nestjs/common';
import { SessionEntity, UserEntity } from '@rpm/persistence';
import { hashSecret, newSecret, verifyPassword } from '@rpm/security';
import { DataSource, MoreThan } from 'typeorm';
import { API_CONFIG, type ApiConfig } from '../api.config';
import type { AuthenticatedUser } from './current-user';

/** Verified against when an e-mail is unknown, so a login takes as long whether or not the user exists. */
const DUMMY_PASSWORD_HASH = 'scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';

@Injectable()
export class AuthService {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  async login(email: string, password: string): Promise<{ token: string; expiresAt: Date } | null> {
    const user = await this.dataSource.getRepository(UserEntity).findOneBy({ email: email.toLowerCase() });
    const valid = await verifyPassword(password, user?.passwordHash ?? DUMMY_PASSWORD_HASH);
    // A disabled account is refused exactly like a wrong password: the answer does not say the account exists.
    if (!user || !valid || user.disabledAt) return null;
    const token = newSecret();
    const expiresAt = new Date(Date.now() + this.config.sessionTtlMs);
    await this.dataSource.getRepository(SessionEntity).insert({ tokenHash: hashSecret(token), userId: user.id, expiresAt });
    return { token, expiresAt };
  }

  /** Ends the session of this token at once: a signed-out token is refused like a forged one. */
  async logout(token: string): Promise<void> {
    await this.dataSource.getRepository(SessionEntity).delete({ tokenHash: hashSecret(token) });
  }

  async profile(userId: string): Promise<{ id: string; email: string; displayName: string; role: string }> {
    const user = await this.dataSource.getRepository(UserEntity).findOneByOrFail({ id: userId });
    return { id: user.id, email: user.email, displayName: user.displayName, role: user.role };
  }

  async userForToken(token: string): Promise<AuthenticatedUser | null> {
    const session = await this.dataSource.getRepository(SessionEntity).findOneBy({ tokenHash: hashSecret(token), expiresAt: MoreThan(new Date()) });
    if (!session) return null;
    const user = await this.dataSource.getRepository(UserEntity).findOneBy({ id: session.userId });
    return user && !user.disabledAt ? { id: user.id, role: user.role } : null;
  }
}
