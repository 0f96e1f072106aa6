import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { GatewayException, GatewayExceptionCode } from '../errors/gateway.exception';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Refuses state-changing requests a browser sent from another origin. SameSite=Lax cookies do
 * not stop a page on globex.mysaas.com posting to acme.mysaas.com (same site), so the Origin
 * the browser attaches must be this very host.
 */
@Injectable()
export class SameOriginGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<Request>();
    if (SAFE_METHODS.has(req.method)) return true;
    const origin = req.header('origin');
    const fetchSite = req.header('sec-fetch-site');
    if (origin === undefined) {
      if (fetchSite === 'cross-site' || fetchSite === 'same-site') throw crossOrigin(fetchSite);
      return true;
    }
    if (originHost(origin) !== req.header('host')?.toLowerCase()) throw crossOrigin(origin);
    return true;
  }
}

function originHost(origin: string): string | undefined {
  try {
    return new URL(origin).host.toLowerCase();
  } catch {
    return undefined;
  }
}

function crossOrigin(from: string): GatewayException {
  return new GatewayException(
    GatewayExceptionCode.CROSS_ORIGIN_REQUEST,
    `a ${from} page may not change data on this workspace; submit the form from the workspace itself`,
  );
}
