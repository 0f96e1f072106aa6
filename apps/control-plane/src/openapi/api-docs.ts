import type { NestExpressApplication } from '@nestjs/platform-express';
import { SwaggerModule } from '@nestjs/swagger';
import type { NextFunction, Request, Response } from 'express';
import { requireAdminToken } from '../admin-auth/admin-token.middleware';
import { buildOpenApiDocument } from './openapi-document';

/** Where the OpenAPI document (JSON) and its Swagger UI are served on the control plane. */
export const OPENAPI_DOCUMENT_PATH = '/platform/openapi.json';
export const API_DOCS_PATH = '/platform/docs';

/**
 * Serves the OpenAPI document and a Swagger UI for it, both behind the platform admin token.
 * Not public, although the document holds no secret: the control plane is internal, the
 * document maps every operation on it, and one rule (everything but the probes needs the
 * token) is easier to hold than exceptions. The UI takes the token as a Basic password so a
 * browser can open it; its own calls to the API need it again, under "Authorize".
 *
 * The UI's page uses an inline <style> block and React's style attributes, so its path gets
 * a CSP of its own that allows inline styles; scripts still come from this origin only (the
 * document is in swagger-ui-init.js, not inline). The rest keeps the platform's strict CSP.
 */
export function mountApiDocs(app: NestExpressApplication, adminToken: string): void {
  const document = buildOpenApiDocument(app);
  app.use(OPENAPI_DOCUMENT_PATH, requireAdminToken(adminToken));
  app.use(API_DOCS_PATH, requireAdminToken(adminToken, { browserRealm: 'MySaaS API docs' }), (_req: Request, res: Response, next: NextFunction) => {
    res.setHeader(
      'content-security-policy',
      "default-src 'self'; base-uri 'none'; object-src 'none'; frame-ancestors 'none'; form-action 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:",
    );
    next();
  });
  SwaggerModule.setup(API_DOCS_PATH, app, document, {
    jsonDocumentUrl: OPENAPI_DOCUMENT_PATH,
    raw: ['json'],
    customSiteTitle: 'MySaaS control plane API',
  });
}
