import type { z } from 'zod';
import { CliError } from '../cli-error';
import type { ControlPlaneTarget } from './discovery';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH';
type Query = Record<string, string | number | undefined>;

const TIMEOUT_MS = 30_000;

const NETWORK_ERRORS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ENOTFOUND: 'no such host',
  EAI_AGAIN: 'name lookup failed',
};

/** What to do next about the control plane's error codes that have one clear next step. */
const HINTS_BY_CODE = new Map<string, string>([
  ['POOL_NOT_FOUND', '`saas pools list` shows the pools'],
  ['POOL_STATUS_CHANGE_REFUSED', '`saas pools show <name>` shows its status; `saas tenants list --pool <name>` its tenants'],
  ['POOL_NAME_TAKEN', '`saas pools show <name>` shows the pool of that name'],
  ['TENANT_NOT_FOUND', '`saas tenants list` shows the tenants'],
  ['TENANT_POOL_UNKNOWN', '`saas pools list` shows the pools'],
  ['TENANT_POOL_NOT_ACCEPTING', 'only an active pool takes new tenants: `saas pools list` shows each status'],
  ['TENANT_SLUG_TAKEN', '`saas tenants show <slug>` shows the tenant of that slug'],
  // Tenant moves: `saas tenants move` and `saas moves …` name the tenant, pool or move in their own.
  ['MOVE_TENANT_UNKNOWN', '`saas tenants list` shows the tenants'],
  ['MOVE_TENANT_SUSPENDED', '`saas tenants resume <slug>`, then move it'],
  ['MOVE_TENANT_NOT_READY', 'wait until `saas tenants show <slug>` says active, then move it'],
  ['MOVE_POOL_UNKNOWN', '`saas pools list` shows the pools'],
  ['MOVE_SAME_POOL', '`saas tenants show <slug>` shows its pool; `saas pools list` the others'],
  ['MOVE_POOL_NOT_ACCEPTING', 'only an active pool takes tenants: `saas pools list` shows each status'],
  ['MOVE_OLDER_RELEASE', "`saas pools list` shows each pool's release"],
  ['MOVE_ALREADY_OPEN', '`saas moves list --tenant <slug>` shows it: finish it with `saas moves finalize <id>` or `saas moves rollback <id>`'],
  ['MOVE_POOL_UNREACHABLE', 'check that database server (`saas pools list` shows where each pool is), then run the command again'],
  ['MOVE_NOT_FOUND', '`saas moves list` shows the moves'],
  ['MOVE_WRONG_STATE', '`saas moves show <id>` shows its state and what can be done next'],
  ['MOVE_BUSY', 'it goes on by itself: `saas moves show <id>` shows where it is'],
  ['MOVE_METHOD_UNAVAILABLE', 'move it with --method blocking (its requests wait for the whole copy), or leave --method out'],
  // Rollouts: `saas rollout` and `saas rollouts …` name the rollout in MOVE_WRONG_STATE and MOVE_BUSY hints.
  ['ROLLOUT_INVALID', "`saas tenants list` shows the tenants and their pools; `saas pools list` each pool's release"],
  ['ROLLOUT_OPEN', '`saas rollouts list` shows it: `saas rollouts resume <id>` or `saas rollouts rollback <id>` finishes it'],
  ['ROLLOUT_NO_METRICS', "start the control plane with ROLLOUT_METRICS_URLS set to the gateways' /metrics endpoints, comma-separated (`npm start` sets it for the dev stack)"],
  ['ROLLOUT_NOT_FOUND', '`saas rollouts list` shows the rollouts'],
]);

/**
 * The control plane's admin HTTP API, as `saas` sees it: each answer is checked against the
 * shape the command expects, and every failure becomes a CliError that says what went wrong
 * and what to try next (never a stack trace, never the token).
 */
export class ControlPlaneClient {
  constructor(private readonly target: ControlPlaneTarget) {}

  get<S extends z.ZodType>(path: string, schema: S, query: Query = {}): Promise<z.output<S>> {
    return this.request('GET', withQuery(path, query), schema);
  }

  post<S extends z.ZodType>(path: string, schema: S, body?: unknown): Promise<z.output<S>> {
    return this.request('POST', path, schema, body);
  }

  put<S extends z.ZodType>(path: string, schema: S, body: unknown): Promise<z.output<S>> {
    return this.request('PUT', path, schema, body);
  }

  patch<S extends z.ZodType>(path: string, schema: S, body: unknown): Promise<z.output<S>> {
    return this.request('PATCH', path, schema, body);
  }

  /**
   * A long operation answered as JSON lines (`application/x-ndjson`): each line, checked
   * against `schema`, goes to `onLine` as it arrives. No overall timeout: only a silence of
   * `idleMs` between lines ends it.
   */
  async stream<S extends z.ZodType>(path: string, schema: S, body: unknown, onLine: (line: z.output<S>) => void, idleMs = 120_000): Promise<void> {
    const what = `POST ${path}`;
    const idle = new AbortController();
    let timer = setTimeout(() => idle.abort(), idleMs);
    try {
      const res = await this.send('POST', path, body, idle.signal);
      if (!res.ok) throw this.failure(res, what, parseJson(await res.text()));
      if (res.body === null) throw new CliError(`the control plane answered ${what} with no body`);
      const decoder = new TextDecoder();
      let pending = '';
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        clearTimeout(timer);
        timer = setTimeout(() => idle.abort(), idleMs);
        pending += decoder.decode(chunk, { stream: true });
        let newline: number;
        while ((newline = pending.indexOf('\n')) !== -1) {
          const text = pending.slice(0, newline);
          pending = pending.slice(newline + 1);
          if (text.trim() === '') continue;
          const parsed = parseJson(text);
          const result = parsed === undefined ? undefined : schema.safeParse(parsed.value);
          if (result === undefined || !result.success) {
            throw new CliError(`unexpected line in the answer to ${what}: ${text.slice(0, 200)}`, {
              hint: 'saas and the control plane may be from different versions; rebuild both (npm run build)',
            });
          }
          onLine(result.data);
        }
      }
    } catch (error) {
      if (idle.signal.aborted) throw new CliError(`the control plane said nothing for ${idleMs / 1000}s during ${what}`, { hint: 'see its log; running the command again picks up where it stopped' });
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  private async request<S extends z.ZodType>(method: Method, path: string, schema: S, body?: unknown): Promise<z.output<S>> {
    const what = `${method} ${path}`;
    const res = await this.send(method, path, body);
    const text = await res.text();
    const parsed = parseJson(text);
    if (!res.ok) throw this.failure(res, what, parsed);
    if (parsed === undefined) {
      throw new CliError(`the control plane answered ${what} with something that is not JSON (${res.headers.get('content-type') ?? 'no content type'})`, {
        hint: `is ${this.origin} the control plane's address (not the gateway's)?`,
      });
    }
    const result = schema.safeParse(parsed.value);
    if (!result.success) {
      const issue = result.error.issues[0];
      const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
      throw new CliError(`unexpected answer to ${what}: ${where}${issue?.message ?? 'wrong shape'}`, {
        hint: 'saas and the control plane may be from different versions; rebuild both (npm run build)',
      });
    }
    return result.data;
  }

  private async send(method: Method, path: string, body: unknown, signal: AbortSignal = AbortSignal.timeout(TIMEOUT_MS)): Promise<Response> {
    try {
      return await fetch(new URL(path, this.target.url), {
        method,
        headers: {
          authorization: `Bearer ${this.target.token}`,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal,
      });
    } catch (error) {
      throw this.unreachable(error);
    }
  }

  private unreachable(error: unknown): CliError {
    const hint = `is the control plane running at ${this.origin}? ${
      this.target.urlFrom === 'SAAS_URL' ? 'Check SAAS_URL.' : 'Restart the dev stack with `npm start`.'
    }`;
    if (error instanceof DOMException && error.name === 'TimeoutError') {
      return new CliError(`the control plane at ${this.origin} did not answer within ${TIMEOUT_MS / 1000}s`, { hint });
    }
    // fetch reports network failures as a TypeError whose cause carries the system error.
    const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
    const code = typeof cause?.code === 'string' ? cause.code : undefined;
    const reason =
      (code !== undefined ? NETWORK_ERRORS[code] ?? code : undefined) ??
      (typeof cause?.message === 'string' ? cause.message : error instanceof Error ? error.message : String(error));
    return new CliError(`cannot reach the control plane at ${this.origin} (${reason})`, { hint });
  }

  /** Error bodies are {statusCode, code, message, requestId}; anything else is still reported plainly. */
  private failure(res: Response, what: string, parsed: { value: unknown } | undefined): CliError {
    const body = parsed !== undefined && typeof parsed.value === 'object' && parsed.value !== null ? (parsed.value as Record<string, unknown>) : {};
    const message = typeof body.message === 'string' ? body.message : `${what} failed with HTTP ${res.status} ${res.statusText}`.trimEnd();
    const code = typeof body.code === 'string' ? body.code : `HTTP ${res.status}`;
    const requestId = typeof body.requestId === 'string' ? body.requestId : undefined;
    return new CliError(`${message} (${code})`, { code, hint: HINTS_BY_CODE.get(code) ?? this.hintFor(res.status, requestId) });
  }

  private hintFor(status: number, requestId: string | undefined): string | undefined {
    switch (status) {
      case 401:
      case 403:
        return this.target.tokenFrom === 'SAAS_TOKEN'
          ? "check SAAS_TOKEN: it must be this control plane's admin token (its PLATFORM_ADMIN_TOKEN)"
          : `the admin token in ${this.target.tokenFrom} was refused: restart the dev stack (\`npm start\`), or set SAAS_TOKEN`;
      case 404:
        return 'check the pool, tenant, plan or job id you gave (an older control plane may lack this endpoint: rebuild it)';
      default:
        if (status < 500) return undefined;
        return requestId === undefined ? 'the control plane failed; see its log' : `the control plane failed; see its log for request ${requestId}`;
    }
  }

  private get origin(): string {
    return this.target.url.origin;
  }
}

function parseJson(text: string): { value: unknown } | undefined {
  try {
    return { value: JSON.parse(text) as unknown };
  } catch {
    return undefined;
  }
}

function withQuery(path: string, query: Query): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, String(value));
  const search = params.toString();
  return search === '' ? path : `${path}?${search}`;
}

/**
 * A request path whose interpolated parts are encoded, so a slug or id holding `/` or `?`
 * cannot reach another route: apiPath`/platform/tenants/${slug}/jobs/pause`.
 */
export function apiPath(strings: TemplateStringsArray, ...values: string[]): string {
  return strings.reduce((path, part, i) => path + encodeURIComponent(values[i - 1] ?? '') + part);
}
