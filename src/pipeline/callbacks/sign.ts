/**
 * Callback signatures (README "Send API"): `X-Scgw-Signature: v1=<hex HMAC-SHA256(secret, timestamp + "." + body)>`
 * with `X-Scgw-Timestamp: <unix seconds>`. The receiver recomputes it over the raw body and refuses old timestamps
 * (replays). Pure.
 */
import { createHmac } from 'node:crypto';

export function signCallback(secret: string, timestampS: number, body: string): string {
  return 'v1=' + createHmac('sha256', secret).update(`${timestampS}.${body}`).digest('hex');
}
