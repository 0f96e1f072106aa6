import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { Agent, type Dispatcher } from 'undici';
import { SECURE_SESSION_COOKIE, SESSION_COOKIE } from '@mysaas/auth';
import { isBulkUpload, poolServesRequests, REQUEST_ID_HEADER, TENANT_CONTEXT_HEADER, TenantContextSigner } from '@mysaas/tenancy';
import { GATEWAY_CONFIG, type GatewayConfig } from '../app-config';
import type { HeaderList } from '../edge/security-headers';
import { GatewayException, GatewayExceptionCode } from '../errors/gateway.exception';
import type { TenantRoute } from '../routing/tenant-route';
import type { SessionUser } from '../session/tenant-session';
import { PoolMembers } from '../upstreams/pool-members';
import { isUpstreamFault } from '../upstreams/upstream-faults';
import type { UpstreamHealth } from '../upstreams/upstream-health';
import { clientResponseHeaders, upstreamRequestHeaders, type ForwardedFacts } from './forwarded-headers';

const BODILESS = new Set(['GET', 'HEAD', 'OPTIONS', 'DELETE']);
/** Errors of a connection that failed before the app server could have answered. */
const CONNECTION_LOST = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);
const TIMED_OUT = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT']);

/** One request, as the edge judged it, to forward. */
export interface Forward {
  req: IncomingMessage;
  route: TenantRoute;
  requestId: string;
  /** The normalised origin-form target (path and query): the only thing taken from the request line. */
  target: string;
  session: SessionUser | null;
  facts: ForwardedFacts;
  /** The platform's security headers for this request's scheme. */
  securityHeaders: HeaderList;
  /** Aborts when the client goes away: the upstream request is cancelled too. */
  clientGone: AbortSignal;
  /** The body, already read (a sign-in); otherwise it streams from the request. */
  body?: Buffer;
  /** Sees the upstream's response headers before they are filtered for the client. */
  onResponse?: (headers: IncomingHttpHeaders) => void;
}

/**
 * Streams a request to one app server of the tenant's pool with a freshly signed tenant
 * context, and streams the answer back, through undici's connection pools (keep-alive, at
 * most 256 connections per app server). Bodies are never buffered; a body over the limit is
 * cut off with 413. The app server is chosen by PoolMembers (round-robin over the members in
 * the rotation), which learns each one's health from how its requests end. A refused
 * connection moves on to another member when the request can be sent again (no body, or one
 * already in hand).
 */
@Injectable()
export class ProxyService implements OnApplicationShutdown {
  private readonly logger = new Logger('Proxy');
  private readonly agent: Agent;
  private readonly signer: TenantContextSigner;

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly members: PoolMembers,
  ) {
    this.signer = new TenantContextSigner(config.secrets.tenantContext);
    const timeout = config.limits.upstreamTimeoutMs;
    this.agent = new Agent({
      connections: 256,
      headersTimeout: timeout,
      bodyTimeout: timeout,
      connect: { timeout: Math.min(timeout, 10_000) },
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.agent.destroy().catch(() => undefined);
  }

  async forward(forward: Forward, res: ServerResponse): Promise<void> {
    const { req, route } = forward;
    const maxBodyBytes = isBulkUpload(req.method, forward.target) ? this.config.limits.bulkMaxBodyBytes : this.config.limits.maxBodyBytes;
    const declaredLength = Number(req.headers['content-length'] ?? 0);
    if (declaredLength > maxBodyBytes) throw this.tooLarge(maxBodyBytes);
    if (route.upstreams.length === 0 || !poolServesRequests(route.poolStatus)) {
      throw new GatewayException(GatewayExceptionCode.POOL_UNAVAILABLE, `no app server is serving pool ${route.pool} right now; retry shortly`);
    }
    // Scheme, host and port come from the pool alone; the edge made the target a plain
    // origin-form path. Checked again here because a wrong answer would be an open proxy.
    const path = forward.target;
    if (!path.startsWith('/') || path.startsWith('//')) throw new Error(`refusing to forward a request target that is not a path: ${path.slice(0, 100)}`);
    const headers = upstreamRequestHeaders(
      req.headers,
      { for: forward.facts.chain, proto: forward.facts.proto, host: req.headers.host },
      // App servers act on the signed context; the cookie itself stays at the edge.
      [SESSION_COOKIE, SECURE_SESSION_COOKIE],
    );
    headers[TENANT_CONTEXT_HEADER] = this.signer.sign({
      tenant: { id: route.id, slug: route.slug, name: route.name },
      pool: route.pool,
      requestId: forward.requestId,
      ...(forward.session ? { session: { id: forward.session.sessionId, userId: forward.session.userId } } : {}),
      secure: forward.facts.secure,
    });
    headers[REQUEST_ID_HEADER] = forward.requestId;
    if (forward.body !== undefined) headers['content-length'] = String(forward.body.length);
    const streamsBody = forward.body === undefined && (req.headers['transfer-encoding'] !== undefined || declaredLength > 0);
    // A refused connection received nothing, so the request may go to the next upstream if it
    // can be sent again: no body, or one already in hand.
    const retryable = !streamsBody && (forward.body !== undefined || BODILESS.has(req.method ?? ''));
    // Never undefined: the pool has upstreams, and when all are out one is tried anyway.
    let member = this.members.pick(route.pool, route.upstreams, retryable)!;
    let tried: UpstreamHealth[] | undefined;
    for (;;) {
      const outcome = await this.attempt(member, path, forward, headers, streamsBody, maxBodyBytes, retryable, res);
      if (outcome === 'done') return;
      (tried ??= []).push(member);
      const next = retryable ? this.members.pick(route.pool, route.upstreams, true, tried) : undefined;
      if (next === undefined) {
        throw new GatewayException(GatewayExceptionCode.UPSTREAM_UNREACHABLE, `the app servers of pool ${route.pool} cannot be reached; retry shortly`);
      }
      this.logger.debug(`upstream ${member.upstream.origin} of pool ${route.pool} refused or reset the connection; trying ${next.upstream.origin}`);
      member = next;
    }
  }

  /**
   * One try against one member: 'done' once a response was relayed (or the client left),
   * 'refused' when nothing was answered. Tells PoolMembers how it went, exactly once: the
   * status it answered, its fault, or no verdict.
   */
  private attempt(
    member: UpstreamHealth,
    path: string,
    forward: Forward,
    headers: Record<string, string | string[]>,
    streamsBody: boolean,
    maxBodyBytes: number,
    retryable: boolean,
    res: ServerResponse,
  ): Promise<'done' | 'refused'> {
    const { req, clientGone } = forward;
    return new Promise((resolve, reject) => {
      let settled = false;
      let judged = false;
      let responded = false;
      let bodyTooLarge = false;
      let controller: Dispatcher.DispatchController | undefined;
      const settle = (fn: () => void) => {
        if (settled) return;
        settled = true;
        clientGone.removeEventListener('abort', onClientGone);
        if (!judged) this.members.abandoned(member);
        fn();
      };
      // The client went away before its answer was written: stop the upstream work too.
      const onClientGone = () => {
        controller?.abort(new Error('the client went away'));
        settle(() => resolve('done'));
      };
      if (clientGone.aborted) return settle(() => resolve('done'));
      clientGone.addEventListener('abort', onClientGone);
      // undici sends an async iterable as it yields (chunked, or to the declared length); its
      // types name only streams, hence the cast.
      const body = forward.body ?? (streamsBody ? (this.countedBody(req, maxBodyBytes, () => (bodyTooLarge = true)) as unknown as Readable) : null);
      const handler: Dispatcher.DispatchHandler = {
        onRequestStart: (c) => {
          controller = c;
        },
        onResponseStart: (c, statusCode, upstreamHeaders) => {
          if (statusCode < 200) return; // informational; the final answer follows
          responded = true;
          judged = true;
          this.members.answered(member, statusCode);
          forward.onResponse?.(upstreamHeaders);
          res.writeHead(statusCode, clientResponseHeaders(upstreamHeaders, forward.securityHeaders, forward.requestId));
        },
        onResponseData: (c, chunk) => {
          if (res.write(chunk)) return;
          c.pause();
          res.once('drain', () => c.resume());
        },
        onResponseEnd: () => {
          res.end();
          settle(() => resolve('done'));
        },
        onResponseError: (_c, error) => {
          const code = (error as NodeJS.ErrnoException).code ?? '';
          if (bodyTooLarge && !responded) return settle(() => reject(this.tooLarge(maxBodyBytes)));
          if (clientGone.aborted) return settle(() => resolve('done'));
          if (responded || res.headersSent) {
            // The answer was under way: its status is sent, so the only honest end is a cut.
            res.destroy();
            return settle(() => resolve('done'));
          }
          if (isUpstreamFault(code, streamsBody)) {
            judged = true;
            this.members.failed(member, code);
          }
          // Refused: the connection never opened, so the app server received nothing. A lost
          // connection of a request that can be sent again is the same race seen later.
          if (code === 'ECONNREFUSED' || (retryable && CONNECTION_LOST.has(code))) return settle(() => resolve('refused'));
          if (TIMED_OUT.has(code)) {
            return settle(() =>
              reject(new GatewayException(GatewayExceptionCode.UPSTREAM_TIMEOUT, `the app server did not answer within ${this.config.limits.upstreamTimeoutMs} ms`)),
            );
          }
          // The code only: an error's message may name the upstream, which clients never see.
          settle(() => reject(new GatewayException(GatewayExceptionCode.UPSTREAM_UNREACHABLE, `the app server connection failed (${code || 'no error code'})`)));
        },
      };
      try {
        this.agent.dispatch({ origin: member.upstream.origin, path, method: (req.method ?? 'GET') as Dispatcher.HttpMethod, headers, body }, handler);
      } catch (error) {
        settle(() => reject(error));
      }
    });
  }

  /** The request body as it streams in, counted: past the limit it stops with an error (and `onTooLarge`). */
  private async *countedBody(req: IncomingMessage, max: number, onTooLarge: () => void): AsyncGenerator<Buffer> {
    let received = 0;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      received += chunk.length;
      if (received > max) {
        onTooLarge();
        throw this.tooLarge(max);
      }
      yield chunk;
    }
  }

  private tooLarge(max: number): GatewayException {
    return new GatewayException(GatewayExceptionCode.BODY_TOO_LARGE, `request body is larger than ${max} bytes`);
  }
}
