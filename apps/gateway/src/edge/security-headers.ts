import type { IncomingMessage, ServerResponse } from 'node:http';
import { securityHeaders } from '@mysaas/nest-http';

export type HeaderList = ReadonlyArray<readonly [name: string, value: string]>;

/** The platform's security headers, worked out once: over plain http, and over https (HSTS too). */
export interface SecurityHeaderSets {
  plain: HeaderList;
  secure: HeaderList;
}

/**
 * The headers `securityHeaders` (helmet, from @mysaas/nest-http: the one definition every app
 * uses) puts on a response, recorded once at start-up instead of run per request: they depend
 * only on the configuration and on whether the request is https.
 */
export function recordSecurityHeaders(inlineStyles: string[]): SecurityHeaderSets {
  const record = (secure: boolean): HeaderList => {
    const set = new Map<string, string>();
    const res = {
      setHeader: (name: string, value: unknown) => set.set(name.toLowerCase(), String(value)),
      removeHeader: (name: string) => set.delete(name.toLowerCase()),
      getHeader: (name: string) => set.get(name.toLowerCase()),
    } as unknown as ServerResponse;
    const req = { secure, headers: {} } as unknown as IncomingMessage & { secure: boolean };
    for (const middleware of securityHeaders({ inlineStyles })) {
      middleware(req, res, (error?: unknown) => {
        if (error) throw error;
      });
    }
    return [...set.entries()];
  };
  return { plain: record(false), secure: record(true) };
}
