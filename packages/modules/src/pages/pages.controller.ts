import { Body, Controller, Get, Header, Post, Query, Redirect, Req, Res, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';
import { CurrentUser } from '../auth/current-user.decorator';
import { LoginFormGuard } from '../auth/local-auth.guard';
import { clearSessionCookie, setSessionCookie } from '../auth/session-cookie';
import { OptionalSession, Public } from '../auth/session-policy.decorator';
import { SessionsService } from '../auth/sessions.service';
import type { User } from '../auth/user.entity';
import { LinkImportsService } from '../links/link-imports.service';
import { LinkException, LinkExceptionCode } from '../links/links.exception';
import { LinksService } from '../links/links.service';
import { CurrentTenant, JobQueueException, type AuthenticatedUser, type ScopedTenant } from '@mysaas/tenant-runtime';
import { linkErrorMessage, loginErrorMessage } from './form-errors';
import { parseImportLines } from './import-lines';
import { importPage, linksPage, loginPage } from './views';

type Tenant = ScopedTenant;

/** Imports the links page shows. */
const RECENT_IMPORTS = 5;

/** Server-rendered sign-in and links pages; every form posts back here and redirects (PRG). */
@Controller()
export class PagesController {
  constructor(
    private readonly sessions: SessionsService,
    private readonly links: LinksService,
    private readonly imports: LinkImportsService,
  ) {}

  @OptionalSession()
  @Get('login')
  @Header('content-type', 'text/html; charset=utf-8')
  @Header('cache-control', 'no-store')
  loginForm(
    @CurrentTenant() tenant: Tenant,
    @CurrentUser({ optional: true }) user: AuthenticatedUser | undefined,
    @Query('error') error: unknown,
    @Res({ passthrough: true }) res: Response,
  ): string {
    if (user) return seeOther(res, '/');
    return loginPage(tenant.name, loginErrorMessage(error));
  }

  @Public()
  @UseGuards(LoginFormGuard)
  @Post('login')
  @Redirect('/', 303)
  async login(@Req() req: Request & { user: User | false }, @Res({ passthrough: true }) res: Response) {
    if (!req.user) return { url: '/login?error=credentials' };
    const { token, expiresAt } = await this.sessions.open(req.user.id);
    setSessionCookie(res, token, expiresAt);
    return { url: '/' };
  }

  @OptionalSession()
  @Get()
  @Header('content-type', 'text/html; charset=utf-8')
  @Header('cache-control', 'no-store')
  async home(
    @CurrentTenant() tenant: Tenant,
    @CurrentUser({ optional: true }) user: AuthenticatedUser | undefined,
    @Query('error') error: unknown,
    @Res({ passthrough: true }) res: Response,
  ): Promise<string> {
    if (!user) return seeOther(res, '/login');
    return linksPage(tenant.name, user.email, await this.links.list(), linkErrorMessage(error), await this.imports.list(RECENT_IMPORTS));
  }

  @Post('links')
  @Redirect('/', 303)
  async createLink(@Body() body: Record<string, unknown>, @CurrentUser() user: AuthenticatedUser) {
    const url = typeof body.url === 'string' ? body.url : '';
    // A field sent twice arrives as an array: refused, not silently replaced by a random code.
    if (body.code !== undefined && typeof body.code !== 'string') return { url: `/?error=${LinkExceptionCode.INVALID_CODE}` };
    const code = body.code === '' ? undefined : body.code;
    try {
      await this.links.create({ url, ...(code ? { code } : {}) }, user.id);
      return { url: '/' };
    } catch (error) {
      // The code, not the message: the page shows a fixed text for it (see form-errors.ts).
      if (error instanceof LinkException) return { url: `/?error=${encodeURIComponent(error.code)}` };
      throw error;
    }
  }

  @OptionalSession()
  @Get('links/imports/new')
  @Header('content-type', 'text/html; charset=utf-8')
  @Header('cache-control', 'no-store')
  importForm(
    @CurrentTenant() tenant: Tenant,
    @CurrentUser({ optional: true }) user: AuthenticatedUser | undefined,
    @Query('error') error: unknown,
    @Res({ passthrough: true }) res: Response,
  ): string {
    if (!user) return seeOther(res, '/login');
    return importPage(tenant.name, linkErrorMessage(error));
  }

  @Post('links/imports')
  @Redirect('/', 303)
  async importLinks(@Body() body: Record<string, unknown>, @CurrentUser() user: AuthenticatedUser) {
    // A field sent twice arrives as an array: refused rather than guessed at.
    if (typeof body.lines !== 'string') return { url: `/links/imports/new?error=${LinkExceptionCode.IMPORT_MALFORMED}` };
    try {
      // The service runs in a savepoint: catching its refusal here leaves nothing of the import behind.
      await this.imports.start(parseImportLines(body.lines), user.id);
      return { url: '/' };
    } catch (error) {
      if (error instanceof LinkException || error instanceof JobQueueException) {
        return { url: `/links/imports/new?error=${encodeURIComponent(error.code)}` };
      }
      throw error;
    }
  }

  @Post('logout')
  @Redirect('/login', 303)
  async logout(@CurrentUser() user: AuthenticatedUser, @Res({ passthrough: true }) res: Response) {
    await this.sessions.revoke(user.sessionId);
    clearSessionCookie(res);
  }
}

/**
 * Redirects without sending: Nest writes the response after the tenant transaction commits,
 * which res.redirect() would pre-empt.
 */
function seeOther(res: Response, location: string): string {
  res.status(303).location(location);
  return '';
}
