import { dropDatabase, startInvoicing, TEST_KEYS, type RunningInvoicing } from '../testing/harness';

/**
 * Every route that needs a scope refuses a request without a key (401), with an unknown key
 * (401) and with a key lacking its scope (403); and no route exists that the OpenAPI document
 * does not list with its scope, except health and the document itself.
 */
type Operation = { security?: Record<string, string[]>[] };
type Document = { paths: Record<string, Record<string, Operation>> };

const KEY_OF_SCOPE: Record<string, string> = { read: TEST_KEYS.reader, write: TEST_KEYS.writer, admin: TEST_KEYS.admin, contacts: TEST_KEYS.contacts };
const PUBLIC_PATHS = [/^\/health\//, /^\/docs/];

describe('authentication and scopes on every route', () => {
  let service: RunningInvoicing;
  let document: Document;

  beforeAll(async () => {
    service = await startInvoicing({ background: false });
    const response = await fetch(`${service.baseUrl}/docs-json`);
    expect(response.status).toBe(200);
    document = (await response.json()) as Document;
  });

  afterAll(async () => {
    await service?.stop();
    if (service) await dropDatabase(service.database);
  });

  const operations = () =>
    Object.entries(document.paths)
      .filter(([path]) => !PUBLIC_PATHS.some((pattern) => pattern.test(path)))
      .flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]) => ({ path, method: method.toUpperCase(), scopes: operation.security?.flatMap((requirement) => requirement['apiKey'] ?? []) ?? [] })),
    );
  const concrete = (path: string) => path.replace(/\{[^}]+\}/g, 'some-id');
  const call = (method: string, path: string, headers: Record<string, string> = {}) =>
    fetch(`${service.baseUrl}${concrete(path)}`, { method, headers: { 'content-type': 'application/json', ...headers }, ...(method === 'GET' || method === 'DELETE' ? {} : { body: '{}' }) });

  it('documents a scope for every operation', () => {
    const all = operations();
    expect(all.length).toBeGreaterThanOrEqual(14);
    for (const operation of all) expect([operation.method, operation.path, operation.scopes.length]).toEqual([operation.method, operation.path, 1]);
  });

  it('answers 401 without a key or with an unknown one, and 403 with a key lacking the scope', async () => {
    for (const { method, path, scopes } of operations()) {
      const scope = scopes[0]!;
      const anonymous = await call(method, path);
      expect([method, path, anonymous.status, ((await anonymous.json()) as { code: string }).code]).toEqual([method, path, 401, 'unauthenticated']);
      expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer/);
      const unknown = await call(method, path, { authorization: 'Bearer not-a-key-anyone-configured' });
      expect([method, path, unknown.status]).toEqual([method, path, 401]);
      for (const [otherScope, key] of Object.entries(KEY_OF_SCOPE).filter(([other]) => other !== scope)) {
        const wrong = await call(method, path, { 'x-api-key': key });
        expect([method, path, otherScope, wrong.status, ((await wrong.json()) as { code: string }).code]).toEqual([method, path, otherScope, 403, 'forbidden']);
      }
      const right = await call(method, path, { 'x-api-key': KEY_OF_SCOPE[scope]! });
      expect([method, path, right.status === 401 || right.status === 403]).toEqual([method, path, false]);
    }
  });

  it('has no route outside the document other than health and the document', () => {
    const express = service.app.getHttpAdapter().getInstance() as { router?: { stack: Layer[] }; _router?: { stack: Layer[] } };
    type Layer = { route?: { path: string; methods: Record<string, boolean> } };
    const stack = (express.router ?? express._router)?.stack ?? [];
    const routes = stack.flatMap((layer) => (layer.route ? Object.keys(layer.route.methods).map((method) => ({ method: method.toUpperCase(), path: layer.route!.path })) : []));
    expect(routes.length).toBeGreaterThan(5);
    const documented = new Set(operations().map((operation) => `${operation.method} ${operation.path.replace(/\{([^}]+)\}/g, ':$1')}`));
    documented.add('POST /billing-events/:type');
    const undocumented = routes.filter((route) => !documented.has(`${route.method} ${route.path}`) && !PUBLIC_PATHS.some((pattern) => pattern.test(route.path)));
    expect(undocumented).toEqual([]);
  });
});
