/**
 * OpenAPI 3 description generated from the routes' own JSON schemas (collected with an onRoute hook),
 * served at /openapi.json, plus a small human-readable page at /docs. Routes opt out with schema.hide.
 */
import type { FastifyInstance, RouteOptions } from 'fastify';
import { ErrorSchema } from './schemas.ts';

declare module 'fastify' {
  interface FastifySchema {
    summary?: string;
    description?: string;
    tags?: string[];
    /** Leave the route out of /openapi.json and /docs. */
    hide?: boolean;
    /** Documented multipart/form-data body (validated in the handler, not by fastify). */
    multipart?: Record<string, unknown>;
  }
}

interface RouteDoc {
  method: string;
  url: string;
  schema: Record<string, unknown>;
  write: boolean;
}

type JsonSchema = { type?: unknown; properties?: Record<string, JsonSchema>; required?: string[]; description?: string; [k: string]: unknown };

export class OpenApiCollector {
  readonly routes: RouteDoc[] = [];

  install(app: FastifyInstance): void {
    app.addHook('onRoute', (r: RouteOptions) => {
      const schema = (r.schema ?? {}) as Record<string, unknown>;
      if (schema.hide) return;
      for (const m of Array.isArray(r.method) ? r.method : [r.method]) {
        if (m === 'HEAD') continue;
        const write = !['GET', 'HEAD', 'OPTIONS'].includes(m) && r.config?.write !== false;
        this.routes.push({ method: m.toLowerCase(), url: r.url, schema, write });
      }
    });
  }

  document(opts: { title: string; version: string; apiKey: boolean }): Record<string, unknown> {
    const paths: Record<string, Record<string, unknown>> = {};
    for (const r of this.routes) {
      const p = r.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
      const parameters: unknown[] = [];
      const params = r.schema.params as JsonSchema | undefined;
      for (const [name, s] of Object.entries(params?.properties ?? {})) parameters.push({ name, in: 'path', required: true, schema: s });
      const query = r.schema.querystring as JsonSchema | undefined;
      for (const [name, s] of Object.entries(query?.properties ?? {})) {
        parameters.push({ name, in: 'query', required: query?.required?.includes(name) ?? false, schema: s, ...(s.description ? { description: s.description } : {}) });
      }
      const responses: Record<string, unknown> = {};
      for (const [status, s] of Object.entries((r.schema.response ?? {}) as Record<string, JsonSchema>)) {
        responses[status] = { description: (s.description as string) ?? `HTTP ${status}`, content: { 'application/json': { schema: s } } };
      }
      responses['4XX'] = { description: 'Client error (LB_ERR_* code)', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
      const op: Record<string, unknown> = {
        summary: r.schema.summary,
        description: r.schema.description,
        tags: r.schema.tags,
        parameters,
        responses,
      };
      const body = r.schema.body as { content?: Record<string, unknown> } | undefined;
      if (body) op.requestBody = { required: true, content: body.content ?? { 'application/json': { schema: body } } };
      if (r.schema.multipart) {
        op.requestBody = { required: !r.schema.body, content: { ...(op.requestBody as { content?: object } | undefined)?.content, 'multipart/form-data': { schema: r.schema.multipart } } };
      }
      if (r.write && opts.apiKey) op.security = [{ apiKey: [] }, { bearer: [] }];
      (paths[p] ??= {})[r.method] = op;
    }
    return {
      openapi: '3.0.3',
      info: { title: opts.title, version: opts.version, description: 'Lookbook HTTP API: catalogue, visual similarity, style, outfits and personalization.' },
      paths,
      components: {
        schemas: { Error: ErrorSchema },
        securitySchemes: {
          apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key' },
          bearer: { type: 'http', scheme: 'bearer' },
        },
      },
    };
  }
}

const esc = (s: unknown) => String(s ?? '').replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

function paramList(s: JsonSchema | undefined): string {
  const props = Object.entries(s?.properties ?? {});
  if (!props.length) return '';
  return `<ul class="params">${props
    .map(([n, p]) => `<li><code>${esc(n)}</code> <span class="t">${esc(Array.isArray(p.type) ? p.type.join('|') : (p.type ?? 'any'))}${p.type === 'array' ? ' (repeatable)' : ''}</span>${s?.required?.includes(n) ? ' <b>required</b>' : ''}${p.description ? ` — ${esc(p.description)}` : ''}</li>`)
    .join('')}</ul>`;
}

function bodySchemaOf(b: JsonSchema): JsonSchema {
  const content = b.content as Record<string, { schema: JsonSchema }> | undefined;
  return content?.['application/json']?.schema ?? b;
}

/** A small, dependency-free HTML page listing every route. */
export function docsPage(c: OpenApiCollector, opts: { apiKey: boolean }): string {
  const rows = [...c.routes]
    .sort((a, b) => a.url.localeCompare(b.url) || a.method.localeCompare(b.method))
    .map((r) => {
      const s = r.schema as Record<string, JsonSchema | string | undefined>;
      return `<section><h2><span class="m ${r.method}">${r.method.toUpperCase()}</span> <code>${esc(r.url)}</code>${r.write && opts.apiKey ? ' <span class="key">API key</span>' : ''}</h2>
<p>${esc(s.summary)}${s.description ? `<br><small>${esc(s.description)}</small>` : ''}</p>
${paramList(s.params as JsonSchema)}${paramList(s.querystring as JsonSchema)}${s.body ? `<p class="sub">JSON body</p>${paramList(bodySchemaOf(s.body as JsonSchema))}` : ''}${s.multipart ? `<p class="sub">multipart/form-data</p>${paramList(s.multipart as JsonSchema)}` : ''}</section>`;
    })
    .join('\n');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Lookbook API</title><style>
body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:0 auto;padding:1rem 1.25rem;color:#1d1d1f}
h1{font-weight:650}h2{font-size:1rem;margin:1.4rem 0 .3rem}section{border-top:1px solid #e5e5ea}
.m{display:inline-block;min-width:4.2em;text-align:center;border-radius:4px;color:#fff;font-size:.8rem;padding:1px 6px}
.get{background:#2d6cdf}.post{background:#1f8a4c}.delete{background:#c0392b}.put,.patch{background:#a86b00}
.key{font-size:.75rem;background:#fff3cd;border-radius:4px;padding:1px 6px}.t{color:#6e6e73}.sub{margin:.2rem 0;color:#6e6e73}
code{font-family:ui-monospace,monospace}ul.params{margin:.2rem 0 .6rem;padding-left:1.2rem}</style></head>
<body><h1>Lookbook API</h1><p>Machine-readable description: <a href="/openapi.json">/openapi.json</a> (OpenAPI 3). Web app: <a href="/">/</a>.
Errors are JSON: <code>{"error":{"code":"LB_ERR_…","message":"…"}}</code>.${opts.apiKey ? ' Writes need the API key in <code>x-api-key</code> or <code>Authorization: Bearer</code>.' : ''}</p>
${rows}</body></html>`;
}
