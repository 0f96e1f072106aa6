import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  /** Path and query, as sent. */
  url: string;
  headers: IncomingHttpHeaders;
  /** The parsed JSON body; undefined when there was none. */
  body: unknown;
}

export interface FakeAnswer {
  status?: number;
  /** Sent as JSON unless it is a string, which is sent as it is. */
  body: unknown;
  contentType?: string;
}

/** The platform's error answer: a refusal with its status, code and message. */
export function refusal(status: number, code: string, message: string): FakeAnswer {
  return { status, body: { statusCode: status, code, message, requestId: 'r1' } };
}

/**
 * Plays the control plane for the CLI's tests: records every request, and answers each
 * `METHOD /path?query` with what the test set up, or with the platform's 404 error body.
 */
export class FakeControlPlane {
  readonly requests: RecordedRequest[] = [];
  /** Each route's answers in turn; the last one is given again and again. */
  private readonly answers = new Map<string, FakeAnswer[]>();

  private constructor(private readonly server: Server) {}

  static async start(): Promise<FakeControlPlane> {
    const server = createServer();
    const fake = new FakeControlPlane(server);
    server.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const url = req.url ?? '/';
        fake.requests.push({ method: req.method ?? '', url, headers: req.headers, body: text === '' ? undefined : JSON.parse(text) });
        const queue = fake.answers.get(`${req.method} ${url}`);
        const answer = (queue !== undefined && queue.length > 1 ? queue.shift() : queue?.[0]) ?? {
          status: 404,
          body: { statusCode: 404, code: 'NOT_FOUND', message: `Cannot ${req.method} ${url}`, requestId: 'req-404' },
        };
        const raw = typeof answer.body === 'string';
        res.writeHead(answer.status ?? 200, { 'content-type': answer.contentType ?? (raw ? 'text/plain' : 'application/json') });
        res.end(raw ? answer.body : JSON.stringify(answer.body));
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return fake;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  answer(route: string, answer: FakeAnswer): this {
    this.answers.set(route, [answer]);
    return this;
  }

  /** Answers a route with each of these in turn (a move read while it goes on), then the last one again and again. */
  answerInTurn(route: string, answers: FakeAnswer[]): this {
    if (answers.length === 0) throw new Error('answerInTurn needs at least one answer');
    this.answers.set(route, [...answers]);
    return this;
  }

  /** The only request made since the last reset; fails the test when there were others. */
  onlyRequest(): RecordedRequest {
    if (this.requests.length !== 1) throw new Error(`expected one request, got ${this.requests.map((r) => `${r.method} ${r.url}`).join(', ') || 'none'}`);
    return this.requests[0] as RecordedRequest;
  }

  reset(): void {
    this.requests.length = 0;
    this.answers.clear();
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    this.server.close();
    await once(this.server, 'close');
  }
}

/** An address where nothing listens: a port just freed. */
export async function refusingUrl(): Promise<string> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, 'close');
  return `http://127.0.0.1:${port}`;
}
