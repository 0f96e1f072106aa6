import type { Queryable, TenantSchemaPart } from '@mysaas/db';
import { AUTH_MIGRATIONS } from './auth.migrations';
import { Session } from './session.entity';
import { User } from './user.entity';

export const AUTH_SCHEMA: TenantSchemaPart = { module: 'auth', migrations: AUTH_MIGRATIONS, entities: [User, Session] };

/** The provisioning seed of a new tenant: its first user (an argon2 hash, never the password). */
export function firstUserSeed(admin: { email: string; passwordHash: string }): (tenant: Queryable) => Promise<void> {
  return async (tenant) => {
    await tenant.query('INSERT INTO users (email, password_hash) VALUES ($1, $2)', [admin.email.trim().toLowerCase(), admin.passwordHash]);
  };
}
