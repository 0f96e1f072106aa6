/** The few control-plane calls the dev stack makes, over its real HTTP API. */
export class ControlPlaneClient {
  constructor(
    private readonly baseUrl: string,
    private readonly token: string,
  ) {}

  async get<T>(path: string): Promise<T | undefined> {
    const res = await this.send('GET', path);
    if (res.status === 404) return undefined;
    return (await this.parse(res, 'GET', path)) as T;
  }

  async post<T>(path: string, body: unknown): Promise<T> {
    return (await this.parse(await this.send('POST', path, body), 'POST', path)) as T;
  }

  async patch<T>(path: string, body: unknown): Promise<T> {
    return (await this.parse(await this.send('PATCH', path, body), 'PATCH', path)) as T;
  }

  private send(method: string, path: string, body?: unknown): Promise<Response> {
    return fetch(new URL(path, this.baseUrl), {
      method,
      headers: { authorization: `Bearer ${this.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  }

  private async parse(res: Response, method: string, path: string): Promise<unknown> {
    const text = await res.text();
    if (!res.ok) throw new Error(`control plane ${method} ${path} answered ${res.status}: ${text}`);
    return JSON.parse(text) as unknown;
  }
}
