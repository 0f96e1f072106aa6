import { Inject, Injectable } from '@nestjs/common';
import type { Repository } from 'typeorm';
import { MAX_PASSWORD_LENGTH, verifyPassword } from '@mysaas/auth';
import { Bulkhead, BulkheadFullError } from '@mysaas/limits';
import { currentTenantScope, InjectTenantRepository } from '@mysaas/tenant-runtime';
import { AUTH_OPTIONS, type AuthOptions } from './auth.options';
import { AuthException, AuthExceptionCode } from './auth.exception';
import { User } from './user.entity';

const MAX_EMAIL_LENGTH = 320;

@Injectable()
export class AuthService {
  /**
   * Password checks are the app server's most expensive work (argon2, ~20 ms of CPU each):
   * one tenant's sign-in flood runs at most PASSWORD_CHECKS_PER_TENANT of them at a time,
   * so the other tenants' requests keep their share of the CPU.
   */
  private readonly checks = new Bulkhead();

  constructor(
    @Inject(AUTH_OPTIONS) private readonly options: AuthOptions,
    @InjectTenantRepository(User) private readonly users: Repository<User>,
  ) {}

  /** The user these credentials belong to, or undefined. Takes the same time either way. */
  async checkCredentials(email: string, password: string): Promise<User | undefined> {
    const normalised = email.trim().toLowerCase();
    if (normalised.length > MAX_EMAIL_LENGTH || password.length > MAX_PASSWORD_LENGTH) return undefined;
    const { passwordChecksPerTenant: limit, waitMs } = this.options.signIn;
    const release = await this.checks.acquire(currentTenantScope().tenant.id, { limit, waitMs }).catch((error: unknown) => {
      if (!(error instanceof BulkheadFullError)) throw error;
      throw new AuthException(AuthExceptionCode.SIGNIN_BUSY, 'this workspace has too many sign-ins in progress; try again in a moment');
    });
    try {
      const user = await this.users.findOne({ where: { email: normalised } });
      const valid = await verifyPassword(user?.passwordHash, password);
      return valid ? user ?? undefined : undefined;
    } finally {
      release();
    }
  }
}
