import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet from 'helmet';

type Middleware = (req: IncomingMessage & { secure?: boolean }, res: ServerResponse, next: (error?: unknown) => void) => void;

/** The CSP source for one exact inline <style> block, so no 'unsafe-inline' is needed. */
export function styleHash(css: string): string {
  return `'sha256-${createHash('sha256').update(css, 'utf8').digest('base64')}'`;
}

/**
 * The platform's security headers (helmet): a CSP that allows nothing but the page's own
 * resources and the inline styles named by hash, no framing (frame-ancestors and
 * X-Frame-Options), nosniff, no Referer to other sites; HSTS only on requests that arrived
 * over https (`req.secure`, which honours the trusted proxies), since sending it over plain
 * http means nothing and would pin a development host to https.
 */
export function securityHeaders(options: { inlineStyles: string[] }): Middleware[] {
  const headers = helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        baseUri: ["'none'"],
        objectSrc: ["'none'"],
        frameAncestors: ["'none'"],
        formAction: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", ...options.inlineStyles.map(styleHash)],
        imgSrc: ["'self'", 'data:'],
      },
    },
    xFrameOptions: { action: 'deny' },
    referrerPolicy: { policy: 'same-origin' },
    strictTransportSecurity: false,
  }) as Middleware;
  const hsts: Middleware = (req, res, next) => {
    if (req.secure) res.setHeader('strict-transport-security', 'max-age=31536000; includeSubDomains');
    next();
  };
  return [headers, hsts];
}
