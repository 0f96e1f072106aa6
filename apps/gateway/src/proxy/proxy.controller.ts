import { All, Controller, Req, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { SameOriginGuard } from '../session/same-origin.guard';
import { TenantSessionGuard } from '../session/tenant-session.guard';
import type { GatewayRequest } from '../tenant-host/gateway-request';
import { ProxyService } from './proxy.service';

/** Everything on a tenant host goes to the tenant's pool, once the guards let it through. */
@Controller()
export class ProxyController {
  constructor(private readonly proxy: ProxyService) {}

  @All('{*path}')
  @UseGuards(SameOriginGuard, TenantSessionGuard)
  async forward(@Req() req: GatewayRequest, @Res() res: Response): Promise<void> {
    await this.proxy.forward(req, res);
  }
}
