import { Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import { TenantOrmModule } from '@mysaas/tenant-runtime';
import { AuthController } from './auth.controller';
import { AUTH_OPTIONS, type AuthOptions } from './auth.options';
import { AuthService } from './auth.service';
import { LocalStrategy } from './local.strategy';
import { Session } from './session.entity';
import { SessionGuard } from './session.guard';
import { SessionsService } from './sessions.service';
import { User } from './user.entity';

/** Users, sign-in (passport-local, argon2id), revocable sessions, and the guard every route passes. */
@Module({})
export class AuthModule {
  static forRoot(options: AuthOptions): DynamicModule {
    return {
      module: AuthModule,
      global: true,
      imports: [PassportModule, TenantOrmModule.forFeature([User, Session])],
      controllers: [AuthController],
      providers: [
        { provide: AUTH_OPTIONS, useValue: options },
        AuthService,
        SessionsService,
        LocalStrategy,
        { provide: APP_GUARD, useClass: SessionGuard },
      ],
      exports: [SessionsService],
    };
  }
}
