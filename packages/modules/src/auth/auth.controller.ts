import { Controller, Get, HttpCode, Inject, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';
import { CurrentTenant, SERVING_POOL, type AuthenticatedUser, type ScopedTenant, type ServingPool } from '@mysaas/tenant-runtime';
import { CurrentUser } from './current-user.decorator';
import { LocalAuthGuard } from './local-auth.guard';
import { clearSessionCookie, setSessionCookie } from './session-cookie';
import { Public } from './session-policy.decorator';
import { SessionsService } from './sessions.service';
import type { User } from './user.entity';

@Controller()
export class AuthController {
  constructor(
    @Inject(SERVING_POOL) private readonly pool: ServingPool,
    private readonly sessions: SessionsService,
  ) {}

  @Public()
  @UseGuards(LocalAuthGuard)
  @Post('auth/login')
  @HttpCode(200)
  async login(@Req() req: Request & { user: User }, @Res({ passthrough: true }) res: Response) {
    const { token, expiresAt } = await this.sessions.open(req.user.id);
    setSessionCookie(res, token, expiresAt);
    return { user: { id: req.user.id, email: req.user.email }, expiresAt: expiresAt.toISOString() };
  }

  @Post('auth/logout')
  @HttpCode(200)
  async logout(
    @CurrentUser() user: AuthenticatedUser,
    @Res({ passthrough: true }) res: Response,
  ) {
    await this.sessions.revoke(user.sessionId);
    clearSessionCookie(res);
    return { signedOut: true };
  }

  @Get('api/me')
  me(@CurrentUser() user: AuthenticatedUser, @CurrentTenant() tenant: ScopedTenant) {
    return {
      user: { id: user.id, email: user.email },
      tenant: { id: tenant.id, slug: tenant.slug, name: tenant.name },
      pool: { name: this.pool.name, release: this.pool.release },
    };
  }
}
