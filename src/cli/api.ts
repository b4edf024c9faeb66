/**
 * The CLI's HTTP client for the admin API. SCGW_URL (default http://127.0.0.1:8080) and SCGW_TOKEN
 * (default: the token the gateway wrote to DATA_DIR/admin-token on first start).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ErrorBody } from '../web/admin/schemas.js';

export class CliError extends Error {
  constructor(message: string, readonly exitCode = 1) { super(message); this.name = 'CliError'; }
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
  if (!token) throw new CliError('no admin token: set SCGW_TOKEN (or run from the folder whose data/admin-token the gateway wrote)', 2);
  return { url, token };
}

export async function api<T>(opts: ApiOptions, method: string, path: string, body?: unknown): Promise<T> {
  const { url, token } = apiTarget(opts);
  let res: Response;
  try {
    res = await fetch(url + path, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  } catch (e) {
    throw new CliError(`cannot reach the gateway at ${url} (${(e as Error & { cause?: Error }).cause?.message ?? (e as Error).message}); is it running? (npm start)`, 3);
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  const parsed = text ? (JSON.parse(text) as unknown) : undefined;
  if (!res.ok) {
    const err = parsed as ErrorBody | undefined;
    throw new CliError(`${res.status} ${err?.code ?? ''}: ${err?.message ?? text}`.trim(), res.status === 401 ? 4 : 1);
  }
  return parsed as T;
}
