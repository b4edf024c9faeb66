/** Where callbacks may go (SSRF guard) and how they are signed. */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { callbackUrlProblem, isPrivateAddress } from '../../../src/pipeline/callbacks/address.js';
import { signCallback } from '../../../src/pipeline/callbacks/sign.js';

describe('callback addresses', () => {
  it('knows loopback, private, link-local, CGNAT and unique-local addresses', () => {
    for (const a of ['127.0.0.1', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', 'fd00::1', 'fe80::1', '::ffff:127.0.0.1']) {
      expect(isPrivateAddress(a), a).toBe(true);
    }
    for (const a of ['8.8.8.8', '172.32.0.1', '93.184.216.34', '2001:db8::1', '::ffff:8.8.8.8']) expect(isPrivateAddress(a), a).toBe(false);
  });

  it('takes http(s) URLs to public hosts, and private ones only when allowed', () => {
    expect(callbackUrlProblem('https://app.example.com/hooks/sms', false)).toBeNull();
    expect(callbackUrlProblem('http://127.0.0.1:8080/x', false)).toMatch(/CALLBACK_ALLOW_PRIVATE/);
    expect(callbackUrlProblem('http://[::1]/x', false)).toMatch(/CALLBACK_ALLOW_PRIVATE/);
    expect(callbackUrlProblem('http://localhost/x', false)).toMatch(/loopback/);
    expect(callbackUrlProblem('http://169.254.169.254/latest/meta-data', false)).not.toBeNull();
    expect(callbackUrlProblem('http://127.0.0.1:8080/x', true)).toBeNull();
    expect(callbackUrlProblem('ftp://app.example.com/x', true)).toMatch(/http/);
    expect(callbackUrlProblem('https://user:pw@app.example.com/x', true)).toMatch(/credentials/);
    expect(callbackUrlProblem('not a url', true)).toBe('not a URL');
  });
});

describe('callback signatures', () => {
  it('is HMAC-SHA256 over "<timestamp>.<body>", hex, prefixed v1=', () => {
    const body = '{"id":"abc","state":"sent"}';
    const expected = createHmac('sha256', 'whsec_test').update(`1700000000.${body}`).digest('hex');
    expect(signCallback('whsec_test', 1700000000, body)).toBe(`v1=${expected}`);
    expect(signCallback('whsec_test', 1700000001, body)).not.toBe(`v1=${expected}`);
  });
});
