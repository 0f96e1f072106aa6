import { Agent, request as httpRequest, type ClientRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { Response } from 'express';
import { SECURE_SESSION_COOKIE, SESSION_COOKIE } from '@mysaas/auth';
import { poolServesRequests, REQUEST_ID_HEADER, TENANT_CONTEXT_HEADER, TenantContextSigner, type UpstreamOrigin } from '@mysaas/tenancy';
import { GATEWAY_CONFIG, type GatewayConfig } from '../app-config';
import { GatewayException, GatewayExceptionCode } from '../errors/gateway.exception';
import type { GatewayRequest } from '../tenant-host/gateway-request';
import { clientResponseHeaders, upstreamRequestHeaders } from './forwarded-headers';
import { UpstreamPicker } from './upstream-picker';

const BODILESS = new Set(['GET', 'HEAD', 'OPTIONS', 'DELETE']);

export interface ForwardOptions {
  /** The body, already read (a sign-in); otherwise it streams from the request. */
  body?: Buffer;
  /** Sees the upstream's response headers before they are filtered for the client. */
  onResponse?: (headers: IncomingHttpHeaders) => void;
}

/**
 * Streams a request to one app server of the tenant's pool with a freshly signed tenant
 * context, and streams the answer back. Bodies are never buffered; a body over the limit is
 * cut off with 413. A refused connection moves on to the pool's next upstream when nothing
 * has been sent yet.
 */
@Injectable()
export class ProxyService implements OnApplicationShutdown {
  private readonly logger = new Logger('Proxy');
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 256, keepAliveMsecs: 1_000 });
  private readonly httpsAgent = new HttpsAgent({ keepAlive: true, maxSockets: 256, keepAliveMsecs: 1_000 });
  private readonly signer: TenantContextSigner;
  private readonly picker = new UpstreamPicker();

  constructor(@Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig) {
    this.signer = new TenantContextSigner(config.secrets.tenantContext);
  }

  onApplicationShutdown(): void {
    this.agent.destroy();
    this.httpsAgent.destroy();
  }

  async forward(req: GatewayRequest, res: Response, options: ForwardOptions = {}): Promise<void> {
    const route = req.tenantRoute;
    if (route === undefined) throw new Error('proxy reached without a tenant route');
    const declaredLength = Number(req.header('content-length') ?? 0);
    if (declaredLength > this.config.limits.maxBodyBytes) throw this.tooLarge();
    const upstreams = poolServesRequests(route.poolStatus) ? this.picker.order(route.pool, route.upstreams) : [];
    if (upstreams.length === 0) {
      throw new GatewayException(GatewayExceptionCode.POOL_UNAVAILABLE, `no app server is serving pool ${route.pool} right now; retry shortly`);
    }
    const context = this.signer.sign({
      tenant: { id: route.id, slug: route.slug, name: route.name },
      pool: route.pool,
      requestId: req.requestId,
      ...(req.user ? { session: { id: req.user.sessionId, userId: req.user.userId } } : {}),
      secure: req.secure,
    });
    const headers: Record<string, unknown> = {
      ...upstreamRequestHeaders(
        req.headers,
        { for: forwardedFor(req), proto: req.protocol, host: req.header('host') },
        // App servers act on the signed context; the cookie itself stays at the edge.
        [SESSION_COOKIE, SECURE_SESSION_COOKIE],
      ),
      [TENANT_CONTEXT_HEADER]: context,
      [REQUEST_ID_HEADER]: req.requestId,
    };
    if (options.body !== undefined) {
      headers['content-length'] = String(options.body.length);
      delete headers['transfer-encoding'];
    }
    // A refused connection received nothing, so the request may go to the next upstream if
    // it can be sent again: no body, or one already in hand.
    const retryable = (BODILESS.has(req.method) && declaredLength === 0) || options.body !== undefined;
    for (const [index, upstream] of upstreams.entries()) {
      const isLast = index === upstreams.length - 1 || !retryable;
      const outcome = await this.attempt(upstream, req, res, headers, options);
      if (outcome === 'done') return;
      if (isLast) {
        throw new GatewayException(GatewayExceptionCode.UPSTREAM_UNREACHABLE, `the app servers of pool ${route.pool} cannot be reached; retry shortly`);
      }
      this.logger.warn(`upstream ${upstream.origin} of pool ${route.pool} refused or reset the connection; trying the next`);
    }
  }

  /** One try against one upstream: 'done' once a response was relayed, 'refused' when nothing was sent. */
  private attempt(
    upstream: UpstreamOrigin,
    req: GatewayRequest,
    res: Response,
    headers: Record<string, unknown>,
    options: ForwardOptions,
  ): Promise<'done' | 'refused'> {
    // Scheme, host and port come from the pool alone; the edge filter made req.url a plain
    // origin-form path. Checked again here because a wrong answer would be an open proxy.
    const path = req.url;
    if (!path.startsWith('/') || path.startsWith('//')) throw new Error(`refusing to forward a request target that is not a path: ${path.slice(0, 100)}`);
    const send = upstream.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      let settled = false;
      let clientGone = false;
      const settle = (fn: () => void) => {
        if (settled) return;
        settled = true;
        fn();
      };
      const outgoing: ClientRequest = send({
        protocol: upstream.protocol,
        hostname: upstream.hostname,
        port: upstream.port,
        path,
        method: req.method,
        headers: headers as Record<string, string>,
        agent: upstream.protocol === 'https:' ? this.httpsAgent : this.agent,
        timeout: this.config.limits.upstreamTimeoutMs,
      });
      outgoing.on('response', (upstreamRes: IncomingMessage) => {
        options.onResponse?.(upstreamRes.headers);
        res.writeHead(upstreamRes.statusCode ?? 502, clientResponseHeaders(upstreamRes.headers));
        upstreamRes.pipe(res);
        upstreamRes.on('end', () => settle(() => resolve('done')));
        upstreamRes.on('error', () => settle(() => resolve('done')));
        res.once('close', () => {
          upstreamRes.destroy();
          settle(() => resolve('done'));
        });
      });
      outgoing.on('timeout', () => {
        outgoing.destroy();
        settle(() => reject(new GatewayException(GatewayExceptionCode.UPSTREAM_TIMEOUT, `the app server did not answer within ${this.config.limits.upstreamTimeoutMs} ms`)));
      });
      outgoing.on('error', (error: NodeJS.ErrnoException) => {
        if (clientGone || res.headersSent) {
          res.destroy();
          return settle(() => resolve('done'));
        }
        // Refused: the connection never opened, so the app server received nothing. A reset
        // of a reused keep-alive socket is the same race seen later; both may go elsewhere.
        if (error.code === 'ECONNREFUSED' || (error.code === 'ECONNRESET' && outgoing.reusedSocket)) {
          return settle(() => resolve('refused'));
        }
        settle(() => reject(new GatewayException(GatewayExceptionCode.UPSTREAM_UNREACHABLE, `the app server connection failed (${error.code ?? error.message})`)));
      });
      // The client went away before its answer was written: stop the upstream work too.
      res.once('close', () => {
        if (res.writableFinished) return;
        clientGone = true;
        outgoing.destroy();
      });
      if (options.body !== undefined) {
        outgoing.end(options.body);
        return;
      }
      this.pipeBody(req, outgoing, () =>
        settle(() => {
          outgoing.destroy();
          reject(this.tooLarge());
        }),
      );
    });
  }

  /** Streams the request body upstream, counting; over the limit it calls `onTooLarge`. */
  private pipeBody(req: GatewayRequest, outgoing: ClientRequest, onTooLarge: () => void): void {
    if (req.readableEnded) {
      outgoing.end();
      return;
    }
    let received = 0;
    req.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received > this.config.limits.maxBodyBytes) {
        req.unpipe(outgoing);
        onTooLarge();
      }
    });
    req.pipe(outgoing);
  }

  private tooLarge(): GatewayException {
    return new GatewayException(GatewayExceptionCode.BODY_TOO_LARGE, `request body is larger than ${this.config.limits.maxBodyBytes} bytes`);
  }
}

/**
 * The X-Forwarded-For chain to send on: the client's chain plus the peer's address when the
 * peer is a trusted proxy (TRUST_PROXY), else only the peer's address, so a client cannot
 * make the app servers believe it is somewhere else.
 */
function forwardedFor(req: GatewayRequest): string[] {
  const peer = req.socket.remoteAddress;
  if (peer === undefined) return [];
  const trusts = req.app.get('trust proxy fn') as (address: string, hop: number) => boolean;
  const prior = req.header('x-forwarded-for');
  if (prior === undefined || !trusts(peer, 0)) return [peer];
  return [...prior.split(',').map((part) => part.trim()).filter((part) => part !== ''), peer];
}
