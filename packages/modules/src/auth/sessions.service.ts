import { Inject, Injectable } from '@nestjs/common';
import { IsNull, MoreThan, type Repository } from 'typeorm';
import { SessionTokenCodec } from '@mysaas/auth';
import { currentTenantScope, InjectTenantRepository, type AuthenticatedUser } from '@mysaas/tenant-runtime';
import { AUTH_OPTIONS, type AuthOptions } from './auth.options';
import { Session } from './session.entity';

@Injectable()
export class SessionsService {
  private readonly tokens: SessionTokenCodec;

  constructor(
    @Inject(AUTH_OPTIONS) private readonly options: AuthOptions,
    @InjectTenantRepository(Session) private readonly sessions: Repository<Session>,
  ) {
    this.tokens = new SessionTokenCodec(options.session.secret);
  }

  /** Opens a session for the user and returns the signed cookie value naming it. */
  async open(userId: string): Promise<{ token: string; expiresAt: Date }> {
    const now = Math.floor(Date.now() / 1000);
    const exp = now + this.options.session.ttlSeconds;
    const expiresAt = new Date(exp * 1000);
    const session = await this.sessions.save(this.sessions.create({ userId, expiresAt, revokedAt: null }));
    const token = this.tokens.sign({ sid: session.id, tid: currentTenantScope().tenant.id, uid: userId, iat: now, exp });
    return { token, expiresAt };
  }

  /** The user of a live session (not revoked, not expired), or undefined. */
  async findActive(sessionId: string, userId: string): Promise<AuthenticatedUser | undefined> {
    const session = await this.sessions.findOne({
      where: { id: sessionId, userId, revokedAt: IsNull(), expiresAt: MoreThan(new Date()) },
      relations: { user: true },
    });
    if (!session?.user) return undefined;
    return { id: session.user.id, email: session.user.email, sessionId: session.id };
  }

  async revoke(sessionId: string): Promise<void> {
    await this.sessions.update({ id: sessionId, revokedAt: IsNull() }, { revokedAt: new Date() });
  }
}
