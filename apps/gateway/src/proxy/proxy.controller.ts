import { All, Controller, Req, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { SIGNIN_RESULT_HEADER } from '@mysaas/tenancy';
import { TenantAdmission } from '../limits/tenant-admission.service';
import { SameOriginGuard } from '../session/same-origin.guard';
import { TenantSessionGuard } from '../session/tenant-session.guard';
import { SIGN_IN_MAX_BODY_BYTES, SignInThrottle } from '../signin/signin-throttle.service';
import type { GatewayRequest } from '../tenant-host/gateway-request';
import { ProxyService } from './proxy.service';
import { readSmallBody } from './read-body';

/**
 * Everything on a tenant host goes to the tenant's pool, once the guards let it through,
 * sign-ins are under their limits, and the tenant has a free slot.
 */
@Controller()
export class ProxyController {
  constructor(
    private readonly proxy: ProxyService,
    private readonly admission: TenantAdmission,
    private readonly signIn: SignInThrottle,
  ) {}

  @All('{*path}')
  @UseGuards(SameOriginGuard, TenantSessionGuard)
  async forward(@Req() req: GatewayRequest, @Res() res: Response): Promise<void> {
    if (!this.signIn.appliesTo(req)) {
      await this.admission.admit(req, res);
      return this.proxy.forward(req, res);
    }
    const body = await readSmallBody(req, SIGN_IN_MAX_BODY_BYTES);
    const gone = new AbortController();
    res.once('close', () => gone.abort());
    const attempt = await this.signIn.begin(req, body, gone.signal);
    try {
      await this.admission.admit(req, res);
      await this.proxy.forward(req, res, { body, onResponse: (headers) => void attempt.settle(headers[SIGNIN_RESULT_HEADER]) });
    } finally {
      // No verdict came back (refused, cut off, unreachable): the attempt does not count.
      await attempt.settle(undefined);
    }
  }
}
