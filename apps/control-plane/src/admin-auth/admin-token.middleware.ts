import { Logger } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { answerError } from '@mysaas/nest-http';
import { adminTokenCheck, assertAdminToken } from './admin-token';

const logger = new Logger('ControlPlane');

/**
 * The admin guard for what is served outside Nest's routing (Express routes mounted by a
 * library): the same check, the same error body. With `browserRealm`, a browser is asked for
 * the token as a password, since a page it opens cannot send a bearer token.
 */
export function requireAdminToken(adminToken: string, options: { browserRealm?: string } = {}) {
  const isAdminToken = adminTokenCheck(adminToken);
  return (req: Request, res: Response, next: NextFunction): void => {
    try {
      assertAdminToken(req.header('authorization'), isAdminToken, { basic: options.browserRealm !== undefined });
    } catch (error) {
      if (options.browserRealm !== undefined) res.setHeader('www-authenticate', `Basic realm="${options.browserRealm}", charset="UTF-8"`);
      void answerError(req, res, error, { app: 'ControlPlane' }, logger);
      return;
    }
    next();
  };
}
