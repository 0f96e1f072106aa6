import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { Strategy } from 'passport-local';
import { AuthService } from './auth.service';
import type { User } from './user.entity';

/** passport-local over the tenant's own users table (the request already runs in its schema). */
@Injectable()
export class LocalStrategy extends PassportStrategy(Strategy, 'local') {
  constructor(private readonly auth: AuthService) {
    super({ usernameField: 'email', passwordField: 'password', session: false });
  }

  async validate(email: unknown, password: unknown): Promise<User | false> {
    if (typeof email !== 'string' || typeof password !== 'string') return false;
    return (await this.auth.checkCredentials(email, password)) ?? false;
  }
}
