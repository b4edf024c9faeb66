/**
 * The CLI's HTTP client for the admin API. SCGW_URL (default http://127.0.0.1:8080) and SCGW_TOKEN
 * (default: the token the gateway wrote to DATA_DIR/admin-token on first start).
 * Exit codes: 0 ok, 1 the gateway refused (4xx/5xx), 2 usage, 3 gateway unreachable, 4 token refused,
 * 5 the config change was refused by validation (each problem printed on its own line).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ConfigProblem, ErrorBody } from '../web/admin/schemas.js';

export const EXIT = { ok: 0, refused: 1, usage: 2, unreachable: 3, unauthorized: 4, invalidConfig: 5 } as const;

export class CliError extends Error {
  constructor(message: string, readonly exitCode: number = EXIT.refused) { super(message); this.name = 'CliError'; }
}

export interface ApiOptions { url?: string; token?: string }

export function apiTarget(opts: ApiOptions): { url: string; token: string } {
  const env = process.env;
  const url = (opts.url ?? env['SCGW_URL'] ?? `http://127.0.0.1:${env['HTTP_PORT'] ?? 8080}`).replace(/\/$/, '');
  let token = opts.token ?? env['SCGW_TOKEN'];
  if (!token) {
    const file = join(env['DATA_DIR'] ?? './data', 'admin-token');
    if (existsSync(file)) token = readFileSync(file, 'utf8').trim();
  }
  if (!token) throw new CliError('no admin token: set SCGW_TOKEN (or run from the folder whose data/admin-token the gateway wrote)', EXIT.usage);
  return { url, token };
}

/** A request body: JSON (an object) or text sent as is with its content type (a YAML file). */
export type Body = { json: unknown } | { text: string; contentType: string };

/** The raw response text, for bodies that are not JSON (YAML export). Throws CliError for any error status. */
export async function apiText(opts: ApiOptions, method: string, path: string, body?: Body): Promise<{ text: string; contentType: string }> {
  const { url, token } = apiTarget(opts);
  let res: Response;
  try {
    res = await fetch(url + path, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body ? { 'content-type': 'json' in body ? 'application/json' : body.contentType } : {}),
      },
      ...(body ? { body: 'json' in body ? JSON.stringify(body.json) : body.text } : {}),
    });
  } catch (e) {
    throw new CliError(`cannot reach the gateway at ${url} (${(e as Error & { cause?: Error }).cause?.message ?? (e as Error).message}); is it running? (npm start)`, EXIT.unreachable);
  }
  const text = await res.text();
  if (!res.ok) throw errorFrom(res.status, text);
  return { text, contentType: res.headers.get('content-type') ?? '' };
}

/** A GET whose body is read as it arrives (CSV export); an error status throws CliError like the others. */
export async function apiStream(opts: ApiOptions, path: string): Promise<Response> {
  const { url, token } = apiTarget(opts);
  let res: Response;
  try {
    res = await fetch(url + path, { headers: { authorization: `Bearer ${token}` } });
  } catch (e) {
    throw new CliError(`cannot reach the gateway at ${url} (${(e as Error & { cause?: Error }).cause?.message ?? (e as Error).message}); is it running? (npm start)`, EXIT.unreachable);
  }
  if (!res.ok) throw errorFrom(res.status, await res.text());
  return res;
}

export async function api<T>(opts: ApiOptions, method: string, path: string, body?: unknown): Promise<T> {
  const { text } = await apiText(opts, method, path, body === undefined ? undefined : { json: body });
  return (text ? JSON.parse(text) : undefined) as T;
}

function errorFrom(status: number, text: string): CliError {
  let err: (ErrorBody & { problems?: ConfigProblem[] }) | undefined;
  try { err = JSON.parse(text) as typeof err; } catch { err = undefined; }
  if (err?.problems?.length) {
    const lines = err.problems.map((p) => `  ${p.entity} ${p.id}: ${p.code}: ${p.message}`);
    return new CliError(`config refused, nothing saved (${err.problems.length} problem${err.problems.length === 1 ? '' : 's'}):\n${lines.join('\n')}`, EXIT.invalidConfig);
  }
  const exit = status === 401 ? EXIT.unauthorized : EXIT.refused;
  return new CliError(`${status} ${err?.code ?? ''}: ${err?.message ?? text}`.replace(/ +:/, ':'), exit);
}

/** `/admin/menus/*111%23`: every path segment encoded, `#` above all. */
export function seg(s: string): string {
  return encodeURIComponent(s);
}

export function query(params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** Parses a JSON option value (`--params '{"apn":"x"}'`) or fails as a usage error naming the option. */
export function jsonOption(name: string, value: string): unknown {
  try { return JSON.parse(value); } catch (e) { throw new CliError(`${name}: not JSON (${(e as Error).message})`, EXIT.usage); }
}

/** Prints `value` as one JSON line with --json, else the human form. */
export function output(json: boolean | undefined, value: unknown, human: () => string | string[]): void {
  if (json) { console.log(JSON.stringify(value)); return; }
  const h = human();
  console.log(Array.isArray(h) ? h.join('\n') : h);
}

export type Globals = () => ApiOptions & { json?: boolean };
