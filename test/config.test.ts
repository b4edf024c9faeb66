import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config.js';

describe('Redis and PostgreSQL high-availability configuration', () => {
  it('reads a Sentinel set: the sentinels, the master name and both passwords', () => {
    const c = parseConfig({ REDIS_SENTINELS: '10.0.0.1:26379, 10.0.0.2:26380', REDIS_SENTINEL_NAME: 'scgw', REDIS_SENTINEL_PASSWORD: 's3', REDIS_PASSWORD: 'r3' });
    expect(c.redisTopology).toEqual({
      kind: 'sentinel', name: 'scgw', sentinelPassword: 's3', password: 'r3',
      sentinels: [{ host: '10.0.0.1', port: 26379 }, { host: '10.0.0.2', port: 26380 }],
    });
    expect(c.redisPrefix).toBe('scgw');
  });

  it('refuses Sentinel without a master name, beside REDIS_URL, or beside a cluster', () => {
    expect(() => parseConfig({ REDIS_SENTINELS: 'a:1' })).toThrow(/REDIS_SENTINEL_NAME: required/);
    expect(() => parseConfig({ REDIS_SENTINELS: 'a:1', REDIS_SENTINEL_NAME: 'm', REDIS_URL: 'redis://x:6379' })).toThrow(/REDIS_URL: unset it/);
    expect(() => parseConfig({ REDIS_SENTINELS: 'a:1', REDIS_SENTINEL_NAME: 'm', REDIS_CLUSTER_NODES: 'b:2' })).toThrow(/not both/);
    expect(() => parseConfig({ REDIS_SENTINELS: 'a' })).toThrow(/REDIS_SENTINELS: a comma list of host:port/);
    expect(() => parseConfig({ REDIS_PASSWORD: 'x' })).toThrow(/REDIS_PASSWORD: only with/);
  });

  it('takes a hash-tagged prefix on a cluster (the default there), and on one server too', () => {
    expect(parseConfig({ REDIS_CLUSTER_NODES: 'a:7000,b:7001' }).redisTopology).toEqual({ kind: 'cluster', nodes: [{ host: 'a', port: 7000 }, { host: 'b', port: 7001 }], password: undefined });
    expect(parseConfig({ REDIS_CLUSTER_NODES: 'a:7000', REDIS_PREFIX: '{gw2}' }).redisPrefix).toBe('{gw2}');
    expect(parseConfig({ REDIS_PREFIX: '{gw2}' }).redisPrefix).toBe('{gw2}');
    expect(() => parseConfig({ REDIS_PREFIX: '{gw}x' })).toThrow(/REDIS_PREFIX/);
  });

  it('accepts a multi-host DATABASE_URL with target_session_attrs, and still refuses a bad one', () => {
    const url = 'postgres://scgw:pw@db1:5432,db2:5433/scgw?target_session_attrs=read-write';
    expect(parseConfig({ DATABASE_URL: url }).databaseUrl).toBe(url);
    expect(() => parseConfig({ DATABASE_URL: 'mysql://db1/scgw' })).toThrow(/DATABASE_URL/);
    expect(() => parseConfig({ DATABASE_URL: 'postgres://db1:5432,db2:x/scgw' })).toThrow(/DATABASE_URL/);
  });

  it('reads USSD over HTTP settings, and refuses an allowlist entry that is not an address or CIDR range', () => {
    expect(parseConfig({ USSD_HTTP_ALLOW: '10.0.0.0/8, 192.0.2.7,2001:db8::/32' }).ussdHttp)
      .toEqual({ allow: ['10.0.0.0/8', '192.0.2.7', '2001:db8::/32'], perMinute: 600, globalPerMinute: 6000, replyKeepS: 600 });
    expect(parseConfig({}).ussdHttp.allow).toEqual([]);
    expect(() => parseConfig({ USSD_HTTP_ALLOW: '10.0.0.0/33' })).toThrow(/USSD_HTTP_ALLOW: a comma list of IP addresses or CIDR ranges/);
    expect(() => parseConfig({ USSD_HTTP_ALLOW: 'example.com' })).toThrow(/USSD_HTTP_ALLOW/);
  });
});

describe('WEB_TIME_ZONE', () => {
  it('takes UTC (the default), a canonical IANA zone and an alias of one; refuses anything else', () => {
    expect(parseConfig({}).web.timeZone).toBe('UTC');
    expect(parseConfig({ WEB_TIME_ZONE: 'Europe/Moscow' }).web.timeZone).toBe('Europe/Moscow');
    // Not in Intl.supportedValuesOf('timeZone') (canonical names only), yet a zone Intl.DateTimeFormat knows.
    expect(parseConfig({ WEB_TIME_ZONE: 'Asia/Calcutta' }).web.timeZone).toBe('Asia/Calcutta');
    expect(parseConfig({ WEB_TIME_ZONE: 'Etc/GMT+3' }).web.timeZone).toBe('Etc/GMT+3');
    expect(() => parseConfig({ WEB_TIME_ZONE: 'Mars/Olympus_Mons' })).toThrow(/WEB_TIME_ZONE: not an IANA time zone/);
    expect(() => parseConfig({ WEB_TIME_ZONE: 'utc ' })).toThrow(/WEB_TIME_ZONE/);
  });
});
