import { Injectable } from '@nestjs/common';
import type { Repository } from 'typeorm';
import { MAX_PASSWORD_LENGTH, verifyPassword } from '@mysaas/auth';
import { InjectTenantRepository } from '../tenancy';
import { User } from './user.entity';

const MAX_EMAIL_LENGTH = 320;

@Injectable()
export class AuthService {
  constructor(@InjectTenantRepository(User) private readonly users: Repository<User>) {}

  /** The user these credentials belong to, or undefined. Takes the same time either way. */
  async checkCredentials(email: string, password: string): Promise<User | undefined> {
    const normalised = email.trim().toLowerCase();
    if (normalised.length > MAX_EMAIL_LENGTH || password.length > MAX_PASSWORD_LENGTH) return undefined;
    const user = await this.users.findOne({ where: { email: normalised } });
    const valid = await verifyPassword(user?.passwordHash, password);
    return valid ? user ?? undefined : undefined;
  }
}
