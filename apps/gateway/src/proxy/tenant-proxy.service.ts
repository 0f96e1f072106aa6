import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { Express, Request, Response } from 'express';
import { answerError } from '@mysaas/nest-http';
import { REQUEST_ID_HEADER, SIGNIN_RESULT_HEADER } from '@mysaas/tenancy';
import { isHealthProbe, readEdgeRequest } from '../edge/edge-request';
import { recordSecurityHeaders, type SecurityHeaderSets } from '../edge/security-headers';
import { ERROR_PAGE_STYLE } from '../errors/error-page';
import { GATEWAY_ERROR_ANSWERING } from '../errors/gateway-error-answering';
import { TenantAdmission } from '../limits/tenant-admission.service';
import { REQUEST_END_OBSERVER, routeGroup, type RequestEndObserver } from '../observe/request-end';
import type { TenantRoute } from '../routing/tenant-route';
import { assertSameOrigin } from '../session/same-origin';
import { TenantSessions } from '../session/tenant-session';
import { SIGN_IN_MAX_BODY_BYTES, SignInThrottle } from '../signin/signin-throttle.service';
import { TenantHosts } from '../tenant-host/tenant-hosts.service';
import { forwardedFacts, type ForwardedFacts, type TrustProxy } from './forwarded-headers';
import { ProxyService } from './proxy.service';
import { readSmallBody } from './read-body';

/**
 * A route older than this when the request's turn comes (it waited in the tenant's line) is
 * looked up again before forwarding: a move's hold may have begun meanwhile.
 */
const ROUTE_RECHECK_AFTER_MS = 5;

/** Where a request stands on the proxy path; read when it ends. */
interface Exchange {
  started: number;
  requestId: string;
  path: string;
  route: TenantRoute | undefined;
  release: (() => void) | undefined;
  clientGone: AbortController;
}

/**
 * The gateway's request path, as plain functions on the raw HTTP server, before Express and
 * Nest's router (ADR 13): every request is read by the edge (request id, one Host, one
 * normalised target); health probes go on to Nest; everything else is a tenant request: Host →
 * route (waiting while a move's cutover holds the tenant), same-origin check for writes, the
 * session rule, sign-in throttling, the tenant's request cap, then the upstream. Refusals are
 * written by the platform's `answerError`, as Nest's exception filter writes them. Nest still
 * builds all of it (DI, configuration, lifecycle) and serves the health probes.
 */
@Injectable()
export class TenantProxy implements OnApplicationBootstrap {
  private readonly logger = new Logger('Gateway');
  private readonly securityHeaders: SecurityHeaderSets = recordSecurityHeaders([ERROR_PAGE_STYLE]);
  private express: Express | undefined;
  private trust: TrustProxy = () => false;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly hosts: TenantHosts,
    private readonly sessions: TenantSessions,
    private readonly signIn: SignInThrottle,
    private readonly admission: TenantAdmission,
    private readonly proxy: ProxyService,
    @Inject(REQUEST_END_OBSERVER) private readonly observer: RequestEndObserver,
  ) {}

  onApplicationBootstrap(): void {
    this.express = this.adapterHost.httpAdapter.getInstance<Express>();
    // TRUST_PROXY, compiled by Express (startGateway sets it): the same rule as the Nest app's req.ip.
    this.trust = this.express.get('trust proxy fn') as TrustProxy;
  }

  /** The HTTP server's request listener. */
  readonly handle: RequestListener = (req, res) => {
    const started = performance.now();
    const edge = readEdgeRequest(req);
    if (!edge.ok) {
      const exchange: Exchange = { started, requestId: edge.requestId, path: '', route: undefined, release: undefined, clientGone: new AbortController() };
      this.observeEnd(req, res, exchange);
      return this.refuse(req, res, exchange, edge.error, forwardedFacts(req, this.trust).secure);
    }
    req.url = edge.path + edge.query;
    if (isHealthProbe(edge.path)) {
      (req as IncomingMessage & { requestId: string }).requestId = edge.requestId;
      res.setHeader(REQUEST_ID_HEADER, edge.requestId);
      return void this.express!(req as Request, res as Response);
    }
    const exchange: Exchange = { started, requestId: edge.requestId, path: edge.path, route: undefined, release: undefined, clientGone: new AbortController() };
    this.observeEnd(req, res, exchange);
    void this.forwardTenantRequest(req, res, exchange, req.url);
  };

  private async forwardTenantRequest(req: IncomingMessage, res: ServerResponse, exchange: Exchange, target: string): Promise<void> {
    const facts: ForwardedFacts = forwardedFacts(req, this.trust);
    try {
      const route = await this.hosts.routeFor(req.headers.host, exchange.clientGone.signal);
      const routedAt = performance.now();
      exchange.route = route;
      assertSameOrigin(req.method, req.headers);
      const session = this.sessions.authenticate(exchange.path, req.headers.cookie, facts.secure, route);
      const forward = {
        req, route, target, session, facts,
        requestId: exchange.requestId,
        securityHeaders: facts.secure ? this.securityHeaders.secure : this.securityHeaders.plain,
        clientGone: exchange.clientGone.signal,
      };
      if (!this.signIn.appliesTo(req.method, exchange.path)) {
        const admitted = await this.admit(res, exchange, route, routedAt);
        if (admitted) await this.proxy.forward({ ...forward, route: admitted }, res);
        return;
      }
      const body = await readSmallBody(req, SIGN_IN_MAX_BODY_BYTES);
      const attempt = await this.signIn.begin({ tenant: route, clientAddress: facts.clientAddress, contentType: req.headers['content-type'] }, body, exchange.clientGone.signal);
      try {
        const admitted = await this.admit(res, exchange, route, routedAt);
        if (admitted) {
          await this.proxy.forward({ ...forward, route: admitted, body, onResponse: (headers) => void attempt.settle(headers[SIGNIN_RESULT_HEADER]) }, res);
        }
      } finally {
        // No verdict came back (refused, cut off, unreachable): the attempt does not count.
        await attempt.settle(undefined);
      }
    } catch (error) {
      // A client that went away (or that Node answered 408 and cut off) has no one to read an answer.
      if (exchange.clientGone.signal.aborted || res.destroyed) return;
      this.refuse(req, res, exchange, error, facts.secure);
    }
  }

  /**
   * Takes one of the tenant's slots, given back when the exchange ends, and answers the route to
   * forward with; undefined when the client has already gone. A request that waited for its turn
   * may have been routed before a move's hold began: it looks again (a cache hit unless routing
   * changed), waits out the hold as routeFor does, and goes where the tenant is now.
   */
  private async admit(res: ServerResponse, exchange: Exchange, route: TenantRoute, routedAt: number): Promise<TenantRoute | undefined> {
    const release = await this.admission.admit(route, exchange.clientGone.signal);
    if (res.writableEnded || res.destroyed) {
      release();
      return undefined;
    }
    exchange.release = release;
    if (performance.now() - routedAt < ROUTE_RECHECK_AFTER_MS) return route;
    exchange.route = await this.hosts.routeOf(route.slug, exchange.clientGone.signal);
    return exchange.route;
  }

  /**
   * When the exchange ends (answered, or the client gone): give back the tenant's slot, cancel
   * what still runs for it, and tell the observer. The one place a request's end is seen.
   */
  private observeEnd(req: IncomingMessage, res: ServerResponse, exchange: Exchange): void {
    res.once('close', () => {
      exchange.release?.();
      const answered = res.writableFinished;
      if (!answered) exchange.clientGone.abort();
      const route = exchange.route;
      this.observer.observe(
        {
          tenant: route?.slug ?? '-',
          pool: route?.pool ?? '-',
          route: routeGroup(exchange.path),
          status: answered ? res.statusCode : 499,
          requestId: exchange.requestId,
          method: req.method ?? '',
        },
        (performance.now() - exchange.started) / 1000,
      );
    });
  }

  /**
   * Answers an error the platform's way (`answerError`: the JSON body or the browser's page,
   * with the request id), with the platform's security headers. The request and response get
   * Express's prototypes first, as Express itself gives them, so the one error writer serves
   * both the raw path and Nest's exception filter.
   */
  private refuse(req: IncomingMessage, res: ServerResponse, exchange: Exchange, error: unknown, secure: boolean): void {
    const express = this.express!;
    Object.setPrototypeOf(req, express.request);
    Object.setPrototypeOf(res, express.response);
    const expressReq = req as Request & { requestId: string };
    const expressRes = res as Response;
    expressReq.requestId = exchange.requestId;
    expressReq.originalUrl = req.url ?? '';
    expressReq.res = expressRes;
    expressRes.req = expressReq;
    if (!res.headersSent) {
      for (const [name, value] of secure ? this.securityHeaders.secure : this.securityHeaders.plain) res.setHeader(name, value);
      res.setHeader(REQUEST_ID_HEADER, exchange.requestId);
    }
    void answerError(expressReq, expressRes, error, GATEWAY_ERROR_ANSWERING, this.logger);
  }
}
