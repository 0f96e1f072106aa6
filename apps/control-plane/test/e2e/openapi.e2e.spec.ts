import { ModulesContainer } from '@nestjs/core';
import type { OpenAPIObject, OperationObject, ParameterObject, ReferenceObject, SchemaObject } from '@nestjs/swagger';
import { getMetadataStorage } from 'class-validator';
import { createTestPlatform, http, type HttpResponse, type TestPlatform } from '@mysaas/testing';
import { startControlPlane, type StartedControlPlane } from '../../src/control-plane';

/** What the app serves outside the document, and why; anything else it serves must be in it. */
const UNDOCUMENTED: Array<[RegExp, string]> = [
  [/^GET \/(healthz|readyz)$/, 'probes, for load balancers'],
  [/^GET \/platform\/openapi\.json$/, 'the document itself'],
  [/^GET \/platform\/docs(\/|$)/, 'the Swagger UI and its files'],
];

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

type Constructor = new (...args: never[]) => unknown;

interface ExpressLayer {
  route?: { path: string; methods: Record<string, boolean> };
}

describe('OpenAPI document and API docs', () => {
  let platform: TestPlatform;
  let server: StartedControlPlane;
  let document: OpenAPIObject;

  beforeAll(async () => {
    platform = await createTestPlatform();
    server = await startControlPlane(platform.controlPlaneConfig());
    const res = await get('/platform/openapi.json');
    expect(res.status).toBe(200);
    document = res.json<OpenAPIObject>();
  });

  afterAll(async () => {
    await server?.close();
    await platform?.cleanup();
  });

  /** null: no Authorization header. */
  const get = (path: string, authorization: string | null = `Bearer ${platform.secrets.adminToken}`): Promise<HttpResponse> =>
    http(server.url, { path, headers: authorization === null ? {} : { authorization } });

  const operations = (): Array<{ key: string; operation: OperationObject }> =>
    Object.entries(document.paths).flatMap(([path, item]) =>
      METHODS.flatMap((method) => {
        const operation = item[method];
        return operation === undefined ? [] : [{ key: `${method.toUpperCase()} ${path}`, operation }];
      }),
    );

  /** Every route Express would answer, as "METHOD /path/{param}": what Nest and the docs mounted, not a hand list. */
  const servedRoutes = (): string[] => {
    const stack = (server.app.getHttpAdapter().getInstance() as { router: { stack: ExpressLayer[] } }).router.stack;
    return stack.flatMap(({ route }) =>
      route === undefined
        ? []
        : Object.keys(route.methods)
            .filter((method) => method !== '_all')
            .map((method) => `${method.toUpperCase()} ${route.path.replace(/:(\w+)/g, '{$1}')}`),
    );
  };

  describe('serving', () => {
    it('answers the document as JSON with the admin token, under the platform’s strict CSP', async () => {
      const res = await get('/platform/openapi.json');
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.headers['content-security-policy']).toContain("script-src 'self';");
      expect(res.headers['content-security-policy']).not.toContain('unsafe-inline');
    });

    it('refuses the document without the token, or with a wrong one, in the platform’s error shape', async () => {
      const missing = await get('/platform/openapi.json', null);
      expect(missing.status).toBe(401);
      expect(missing.json()).toEqual({ statusCode: 401, code: 'ADMIN_TOKEN_MISSING', message: expect.stringContaining('Authorization: Bearer'), requestId: expect.any(String) });
      const wrong = await get('/platform/openapi.json', 'Bearer not-the-token-at-all-000000');
      expect(wrong.status).toBe(401);
      expect(wrong.json()).toMatchObject({ code: 'ADMIN_TOKEN_INVALID' });
      // A Basic password is for the UI a browser opens; the document takes a bearer token like the API.
      expect((await get('/platform/openapi.json', `Basic ${Buffer.from(`x:${platform.secrets.adminToken}`).toString('base64')}`)).status).toBe(401);
    });

    it('serves the Swagger UI with the admin token, its scripts from itself only', async () => {
      const res = await get('/platform/docs');
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.text).toContain('swagger-ui-bundle.js');
      const csp = res.headers['content-security-policy'];
      expect(csp).toContain("script-src 'self';");
      expect(csp).toContain("style-src 'self' 'unsafe-inline'");
      for (const asset of ['/platform/docs/docs/swagger-ui-bundle.js', '/platform/docs/docs/swagger-ui.css', '/platform/docs/swagger-ui-init.js']) {
        expect([asset, (await get(asset)).status]).toEqual([asset, 200]);
      }
    });

    it('asks a browser for the token as a Basic password, and takes it so', async () => {
      const missing = await get('/platform/docs', null);
      expect(missing.status).toBe(401);
      expect(missing.headers['www-authenticate']).toMatch(/^Basic realm=/);
      expect(missing.json()).toMatchObject({ statusCode: 401, code: 'ADMIN_TOKEN_MISSING', requestId: expect.any(String) });
      const basic = (password: string) => `Basic ${Buffer.from(`anyone:${password}`).toString('base64')}`;
      expect((await get('/platform/docs', basic(platform.secrets.adminToken))).status).toBe(200);
      expect((await get('/platform/docs', basic('not-the-token-at-all-000000'))).json()).toMatchObject({ code: 'ADMIN_TOKEN_INVALID' });
    });

    it('keeps the UI’s copy of the document (swagger-ui-init.js) behind the token too', async () => {
      expect((await get('/platform/docs/swagger-ui-init.js', null)).status).toBe(401);
      expect((await get('/platform/docs/docs/swagger-ui-init.js', null)).status).toBe(401);
      expect((await get('/platform/docs/swagger-ui-init.js')).text).toContain('"/platform/tenants"');
    });
  });

  describe('content', () => {
    it('is an OpenAPI 3 document whose every $ref resolves', () => {
      expect(document.openapi).toMatch(/^3\.\d+\.\d+$/);
      expect(document.info).toMatchObject({ title: expect.any(String), version: expect.any(String) });
      expect(Object.keys(document.paths).length).toBeGreaterThan(0);
      const refs = [...JSON.stringify(document).matchAll(/"\$ref":"([^"]+)"/g)].map((m) => m[1]!);
      expect(refs.length).toBeGreaterThan(0);
      const unresolved = refs.filter((ref) => {
        const name = /^#\/components\/schemas\/(.+)$/.exec(ref)?.[1];
        return name === undefined || document.components?.schemas?.[name] === undefined;
      });
      expect(unresolved).toEqual([]);
    });

    it('lists every route the app serves, and only those', () => {
      const served = servedRoutes();
      // The route list is read from Express: if that stops working, this test must not pass on nothing.
      expect(served).toEqual(expect.arrayContaining(['POST /platform/tenants', 'GET /platform/pools/{name}', 'GET /healthz']));
      const expected = served.filter((route) => !UNDOCUMENTED.some(([pattern]) => pattern.test(route))).sort();
      expect(operations().map(({ key }) => key).sort()).toEqual(expected);
    });

    it('declares the admin token as an HTTP bearer scheme and requires it on every operation', () => {
      expect(document.components?.securitySchemes?.['admin-token']).toMatchObject({ type: 'http', scheme: 'bearer' });
      const without = operations().filter(({ operation }) => !operation.security?.some((requirement) => 'admin-token' in requirement));
      expect(without.map(({ key }) => key)).toEqual([]);
    });

    it('gives every operation a one-line summary, a tag, and a described answer for each status', () => {
      const problems = operations().flatMap(({ key, operation }) => [
        ...(typeof operation.summary === 'string' && operation.summary.length > 0 && !operation.summary.includes('\n') ? [] : [`${key}: no one-line summary`]),
        ...((operation.tags?.length ?? 0) > 0 ? [] : [`${key}: no tag`]),
        ...(Object.keys(operation.responses).some((status) => /^2\d\d$/.test(status)) ? [] : [`${key}: no success answer`]),
        ...Object.entries(operation.responses)
          .filter(([, response]) => response === undefined || !('description' in response) || response.description.length === 0)
          .map(([status]) => `${key}: ${status} has no description`),
      ]);
      expect(problems).toEqual([]);
    });

    it('describes 401 and 500 on every operation, and every error with the one ErrorBody schema', () => {
      expect(document.components?.schemas?.ErrorBody).toMatchObject({ required: expect.arrayContaining(['statusCode', 'code', 'message', 'requestId']) });
      const problems = operations().flatMap(({ key, operation }) => [
        ...['401', '500'].filter((status) => operation.responses[status] === undefined).map((status) => `${key}: no ${status}`),
        ...Object.entries(operation.responses)
          .filter(([status]) => /^[45]\d\d$/.test(status))
          .filter(([, response]) => JSON.stringify(response).match(/"\$ref":"([^"]+)"/)?.[1] !== '#/components/schemas/ErrorBody')
          .map(([status]) => `${key}: ${status} is not an ErrorBody`),
      ]);
      expect(problems).toEqual([]);
    });

    it('names in each error description the codes it can carry', () => {
      const vague = operations().flatMap(({ key, operation }) =>
        Object.entries(operation.responses)
          .filter(([status, response]) => /^[45]\d\d$/.test(status) && !/^- [A-Z_]+(, [A-Z_]+)*: /m.test((response as { description: string }).description))
          .map(([status]) => `${key}: ${status}`),
      );
      expect(vague).toEqual([]);
    });

    it('shows every field the validation accepts, in bodies and queries, with an example', () => {
      // The DTOs are read from the controllers' handlers, so a new one is checked without naming it here.
      const dtos = new Set<Constructor>();
      for (const module of server.app.get(ModulesContainer).values()) {
        for (const { metatype } of module.controllers.values()) {
          const prototype = (metatype as { prototype: object }).prototype;
          for (const name of Object.getOwnPropertyNames(prototype)) {
            const types = (Reflect.getMetadata('design:paramtypes', prototype, name) ?? []) as Constructor[];
            for (const type of types) {
              if (getMetadataStorage().getTargetValidationMetadatas(type, '', true, false).length > 0) dtos.add(type);
            }
          }
        }
      }
      expect(dtos.size).toBeGreaterThan(0);
      const queryParameters = new Map(
        operations().flatMap(({ operation }) =>
          (operation.parameters ?? []).filter((p): p is ParameterObject => 'in' in p && p.in === 'query').map((p) => [p.name, p] as const),
        ),
      );
      const problems: string[] = [];
      for (const dto of dtos) {
        const fields = new Set(getMetadataStorage().getTargetValidationMetadatas(dto, '', true, false).map((m) => m.propertyName));
        const schema = document.components?.schemas?.[dto.name] as SchemaObject | undefined;
        for (const field of fields) {
          const shown = (schema?.properties?.[field] as SchemaObject | ReferenceObject | undefined) ?? queryParameters.get(field)?.schema;
          if (shown === undefined) problems.push(`${dto.name}.${field} is not in the document`);
          else if (!('$ref' in shown) && shown.example === undefined) problems.push(`${dto.name}.${field} has no example`);
        }
      }
      expect(problems).toEqual([]);
    });
  });
});
