import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import { TenantOrmModule } from '../tenancy';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { LocalStrategy } from './local.strategy';
import { Session } from './session.entity';
import { SessionGuard } from './session.guard';
import { SessionsService } from './sessions.service';
import { User } from './user.entity';

@Module({
  imports: [PassportModule, TenantOrmModule.forFeature([User, Session])],
  controllers: [AuthController],
  providers: [AuthService, SessionsService, LocalStrategy, { provide: APP_GUARD, useClass: SessionGuard }],
  exports: [SessionsService],
})
export class AuthModule {}
