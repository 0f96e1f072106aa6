import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';

export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  /** The body parsed as JSON (throws with the body in the message when it is not JSON). */
  json<T = Record<string, unknown>>(): T;
}

export interface HttpRequest {
  method?: string;
  path: string;
  /** The Host header: how tests address acme.localhost without DNS. */
  host?: string;
  headers?: Record<string, string>;
  /** An object is sent as JSON; a string or Buffer as is. */
  body?: unknown;
  /** Cookie header value(s). */
  cookie?: string;
  timeoutMs?: number;
}

/** A small HTTP client for tests that need to set Host and read Set-Cookie exactly. */
export function http(baseUrl: string, req: HttpRequest): Promise<HttpResponse> {
  const url = new URL(req.path, baseUrl);
  const headers: Record<string, string> = { ...req.headers };
  let payload: Buffer | undefined;
  if (req.body !== undefined) {
    if (typeof req.body === 'string' || Buffer.isBuffer(req.body)) {
      payload = Buffer.from(req.body);
    } else {
      payload = Buffer.from(JSON.stringify(req.body));
      headers['content-type'] ??= 'application/json';
    }
    headers['content-length'] = String(payload.length);
  }
  if (req.host !== undefined) headers.host = req.host;
  if (req.cookie !== undefined) headers.cookie = req.cookie;
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      { hostname: url.hostname, port: url.port, path: url.pathname + url.search, method: req.method ?? 'GET', headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text,
            json: <T>() => {
              try {
                return JSON.parse(text) as T;
              } catch {
                throw new Error(`expected a JSON body, got ${res.statusCode}: ${text.slice(0, 500)}`);
              }
            },
          });
        });
      },
    );
    outgoing.setTimeout(req.timeoutMs ?? 15_000, () => outgoing.destroy(new Error(`${req.method ?? 'GET'} ${req.path} timed out`)));
    outgoing.on('error', reject);
    outgoing.end(payload);
  });
}

/** The `name=value` pair of a Set-Cookie header, ready to send back as a Cookie header. */
export function cookieFrom(res: HttpResponse, name: string): string | undefined {
  const setCookie = res.headers['set-cookie'] ?? [];
  const found = setCookie.find((c) => c.startsWith(`${name}=`));
  return found?.split(';')[0];
}
