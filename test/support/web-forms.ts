/**
 * A browser-like client for the subscriber pages over app.inject(): keeps cookies, and posts forms with the
 * CSRF token from the last page it fetched (or a given token, or none).
 */
import type { FastifyInstance } from 'fastify';

export interface PageResponse { status: number; body: string; headers: Record<string, string | string[] | number | undefined>; location?: string }

export interface FormClient {
  cookies: Map<string, string>;
  /** the CSRF token of the last page fetched */
  csrf: string | undefined;
  get(url: string, headers?: Record<string, string>): Promise<PageResponse>;
  post(url: string, form: Record<string, string>, opts?: { csrf?: string | null; headers?: Record<string, string> }): Promise<PageResponse>;
  /** GET the form page first (for a fresh token), then post to `url`. */
  submit(pageUrl: string, url: string, form: Record<string, string>): Promise<PageResponse>;
}

export function formClient(app: FastifyInstance, opts: { remoteAddress?: string; headers?: Record<string, string> } = {}): FormClient {
  const cookies = new Map<string, string>();
  const client: FormClient = {
    cookies,
    csrf: undefined,
    async get(url, headers = {}) {
      return request('GET', url, undefined, headers);
    },
    async post(url, form, o = {}) {
      const token = o.csrf === undefined ? client.csrf : o.csrf;
      const body = new URLSearchParams({ ...form, ...(token ? { _csrf: token } : {}) }).toString();
      return request('POST', url, body, { 'content-type': 'application/x-www-form-urlencoded', ...o.headers });
    },
    async submit(pageUrl, url, form) {
      await client.get(pageUrl);
      return client.post(url, form);
    },
  };
  async function request(method: 'GET' | 'POST', url: string, payload: string | undefined, headers: Record<string, string>): Promise<PageResponse> {
    const cookie = [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await app.inject({
      method, url, ...(payload !== undefined ? { payload } : {}),
      headers: { ...opts.headers, ...headers, ...(cookie ? { cookie } : {}) },
      ...(opts.remoteAddress ? { remoteAddress: opts.remoteAddress } : {}),
    });
    for (const c of res.cookies as Array<{ name: string; value: string; expires?: Date }>) {
      if (!c.value || (c.expires && c.expires.getTime() < Date.now())) cookies.delete(c.name);
      else cookies.set(c.name, c.value);
    }
    const m = /name="_csrf" value="([^"]+)"/.exec(res.body);
    if (m) client.csrf = m[1];
    const location = res.headers.location;
    return { status: res.statusCode, body: res.body, headers: res.headers, ...(typeof location === 'string' ? { location } : {}) };
  }
  return client;
}

/** The text of an HTML page without tags, whitespace collapsed: for asserting on what a reader sees. */
export function pageText(html: string): string {
  return html.replace(/<style[\s\S]*?<\/style>/g, '').replace(/<[^>]+>/g, ' ').replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/\s+/g, ' ').trim();
}
