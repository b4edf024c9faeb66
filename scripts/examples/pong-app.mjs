#!/usr/bin/env node
// A tiny scgw app (README "Apps"): answers PING with PONG. Run: APP_SECRET=... node scripts/examples/pong-app.mjs
// It checks the signature (X-Scgw-Signature = "sha256=" + hex HMAC-SHA256(secret, timestamp + "." + raw body)),
// refuses stale timestamps, and answers a retried MO (the same Idempotency-Key) with the answer it gave before.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';

const secret = process.env.APP_SECRET;
if (!secret) { console.error('set APP_SECRET to the secret `scgw app add` printed'); process.exit(2); }
const answered = new Map(); // Idempotency-Key → answer (a real app keeps this in its database)

createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    const ts = String(req.headers['x-scgw-timestamp'] ?? '');
    const expected = Buffer.from('sha256=' + createHmac('sha256', secret).update(`${ts}.${body}`).digest('hex'));
    const got = Buffer.from(String(req.headers['x-scgw-signature'] ?? ''));
    if (got.length !== expected.length || !timingSafeEqual(got, expected) || Math.abs(Date.now() / 1000 - Number(ts)) > 300) {
      res.writeHead(401).end();
      return;
    }
    const mo = JSON.parse(body); // { id, msisdn, shortCode, keyword, args, text, link, receivedAt }
    const key = String(req.headers['idempotency-key']);
    const answer = answered.get(key) ?? (mo.keyword.toUpperCase() === 'PING' ? `PONG${mo.args ? ' ' + mo.args : ''}` : 'Send PING');
    answered.set(key, answer);
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(answer);
  });
}).listen(Number(process.env.PORT ?? 8088), '127.0.0.1', function () {
  console.log(`pong app listening on http://127.0.0.1:${this.address().port}/sms`);
});
