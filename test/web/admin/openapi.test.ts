import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApiPath } from '../../../src/web/admin/openapi.js';
import { startAdmin, type AdminClient } from './client.js';

let a: AdminClient;
beforeAll(async () => { a = await startAdmin(); });
afterAll(async () => { await a?.stop(); });

describe('OpenAPI document and docs page', () => {
  it('lists every /admin route the app registers, and nothing it does not', async () => {
    const res = await a.ops('/admin/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe('3.1.0');
    const documented = Object.entries(res.body.paths as Record<string, Record<string, unknown>>)
      .flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`)).sort();
    const registered = [...a.t.gw.app!.adminRoutes, ...a.t.gw.ops!.adminRoutes].map((r) => { const [m, p] = r.split(' '); return `${m} ${openApiPath(p!)}`; }).sort();
    expect(registered.length).toBeGreaterThan(25);
    expect(documented).toEqual(registered);
  });

  it('describes request bodies from the zod schemas', async () => {
    const doc = (await a.ops('/admin/openapi.json')).body;
    const create = doc.paths['/admin/routes'].post.requestBody.content['application/json'].schema;
    expect(create.properties.kind).toEqual(expect.objectContaining({ type: 'string', enum: ['exact', 'prefix', 'regex', 'any'] }));
    expect(create.required).toEqual(['shortCode', 'kind', 'action']);
    expect(create.additionalProperties).toBe(false);
    expect(doc.paths['/admin/routes/{id}'].patch.parameters[0]).toMatchObject({ name: 'id', in: 'path', required: true });
    expect(doc.components.schemas.MenuNode.properties.items.items).toEqual({ $ref: '#/components/schemas/MenuItem' });
    expect(doc.paths['/admin/routes'].post.responses['422'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/ConfigRejected' });
  });

  it('serves a self-contained HTML docs page listing every path, with no external resources', async () => {
    const res = await a.ops('/admin/docs');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    for (const path of ['/admin/routes/{id}', '/admin/config/rollback', '/admin/dry-run', '/admin/menus/{code}']) expect(res.text).toContain(`<code>${path}</code>`);
    expect(res.text).not.toMatch(/<script|https?:\/\//);
  });
});
