/**
 * GET /admin/openapi.json and GET /admin/docs: the OpenAPI document and a plain HTML page rendered from
 * it on the server (no script, no CDN: gateways often have no internet). Served without a token, but only on
 * the ops listener (web/app.ts buildOpsApp), never on the subscriber port; every other /admin route needs a token.
 */
import type { FastifyInstance } from 'fastify';
import type { JsonSchema } from './json-schema.js';
import { buildOpenApi } from './openapi.js';

export function registerDocs(app: FastifyInstance) {
  const doc = buildOpenApi();
  const page = renderDocs(doc);
  app.get('/admin/openapi.json', async () => doc);
  app.get('/admin/docs', async (_req, reply) => reply.type('text/html; charset=utf-8').send(page));
}

const esc = (s: unknown) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const json = (v: unknown) => `<pre>${esc(JSON.stringify(v, null, 2))}</pre>`;

interface Op { tags?: string[]; summary?: string; parameters?: JsonSchema[]; requestBody?: { content: Record<string, { schema: unknown }> }; responses: Record<string, { content?: Record<string, { schema?: unknown }> }> }

export function renderDocs(doc: JsonSchema): string {
  const paths = doc['paths'] as Record<string, Record<string, Op>>;
  const byTag = new Map<string, string[]>();
  for (const [path, methods] of Object.entries(paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const id = `${method}-${path}`.replace(/[^A-Za-z0-9]+/g, '-');
      const params = op.parameters?.length
        ? `<h4>Parameters</h4><ul>${op.parameters.map((p) => `<li><code>${esc(p['name'])}</code> (${esc(p['in'])}${p['required'] ? ', required' : ''}) <code>${esc(JSON.stringify(p['schema']))}</code></li>`).join('')}</ul>` : '';
      const body = op.requestBody ? `<h4>Request body</h4>${json(Object.values(op.requestBody.content)[0]?.schema)}` : '';
      const responses = Object.entries(op.responses).map(([status, r]) => {
        const schema = r.content ? Object.values(r.content)[0]?.schema : undefined;
        return `<li><b>${esc(status)}</b>${schema ? ` <code>${esc(JSON.stringify(schema))}</code>` : ''}</li>`;
      }).join('');
      const html = `<section id="${id}"><h3><span class="m ${esc(method)}">${esc(method.toUpperCase())}</span> <code>${esc(path)}</code></h3>`
        + `<p>${esc(op.summary ?? '')}</p>${params}${body}<h4>Responses</h4><ul>${responses}</ul></section>`;
      const tag = op.tags?.[0] ?? 'other';
      byTag.set(tag, [...(byTag.get(tag) ?? []), html]);
    }
  }
  const info = doc['info'] as { title: string; description: string };
  const schemas = (doc['components'] as { schemas: Record<string, unknown> }).schemas;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(info.title)}</title><style>
body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
code,pre{font:13px ui-monospace,monospace}pre{background:#f6f6f6;padding:.6rem;overflow:auto;max-height:24rem}
section{border-top:1px solid #ddd;padding:.4rem 0}.m{display:inline-block;min-width:4.5rem;font:bold 13px monospace}
.get{color:#0a6}.post{color:#06c}.put,.patch{color:#a60}.delete{color:#c03}
</style></head><body><h1>${esc(info.title)}</h1><p>${esc(info.description)}</p>
<p>Machine-readable: <a href="openapi.json">/admin/openapi.json</a>. The CLI <code>scgw</code> mirrors every call.</p>
<nav><ul>${[...byTag.keys()].map((t) => `<li><a href="#tag-${esc(t.replace(/\W+/g, '-'))}">${esc(t)}</a></li>`).join('')}<li><a href="#schemas">schemas</a></li></ul></nav>
${[...byTag].map(([t, ops]) => `<h2 id="tag-${esc(t.replace(/\W+/g, '-'))}">${esc(t)}</h2>${ops.join('\n')}`).join('\n')}
<h2 id="schemas">Schemas</h2>${Object.entries(schemas).map(([n, sch]) => `<h3 id="schema-${esc(n)}">${esc(n)}</h3>${json(sch)}`).join('\n')}
</body></html>`;
}
