import { describe, expect, it } from 'vitest';
import { appOrigin, clientAddress, isCrossOrigin, normalizeAddress } from './forwarded';

const h = (init: Record<string, string>) => new Headers(init);

describe('clientAddress', () => {
  it('is unknown without TRUST_PROXY, whatever X-Forwarded-For / X-Real-IP say', () => {
    expect(clientAddress(h({ 'x-forwarded-for': '203.0.113.1', 'x-real-ip': '203.0.113.2' }), 0)).toBeNull();
    expect(clientAddress(h({}), 0)).toBeNull();
  });

  it('with N trusted proxies, is the N-th X-Forwarded-For entry from the right', () => {
    const xff = h({ 'x-forwarded-for': '6.6.6.6, 203.0.113.9, 10.0.0.2' });
    expect(clientAddress(xff, 1)).toBe('10.0.0.2');
    expect(clientAddress(xff, 2)).toBe('203.0.113.9');
    expect(clientAddress(xff, 5)).toBe('6.6.6.6');
    expect(clientAddress(h({}), 1)).toBeNull();
    expect(clientAddress(h({ 'x-forwarded-for': 'not-an-ip' }), 1)).toBeNull();
  });

  it('normalizes addresses: ports, brackets, IPv4-mapped IPv6, IPv6 per /64', () => {
    expect(normalizeAddress('203.0.113.9:5555')).toBe('203.0.113.9');
    expect(normalizeAddress('::ffff:203.0.113.9')).toBe('203.0.113.9');
    expect(normalizeAddress('[2001:db8::1]:443')).toBe('2001:db8:0:0::/64');
    expect(normalizeAddress('2001:DB8:0:0:ffff::1')).toBe('2001:db8:0:0::/64');
    expect(normalizeAddress('2001:db8:0:1::1')).toBe('2001:db8:0:1::/64');
    expect(normalizeAddress('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(normalizeAddress('::1')).toBe('0:0:0:0::/64');
    expect(normalizeAddress('unknown')).toBeNull();
  });
});

describe('appOrigin', () => {
  it('without TRUST_PROXY is http:// + Host; forwarded headers are ignored', () => {
    expect(appOrigin(h({ host: '127.0.0.1:3000', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' }), 0)).toBe('http://127.0.0.1:3000');
    expect(appOrigin(h({ host: 'dash.example:80' }), 0)).toBe('http://dash.example');
    expect(appOrigin(h({}), 0)).toBeNull();
    expect(appOrigin(h({ host: 'evil.example/x@y' }), 0)).toBeNull();
  });

  it('with TRUST_PROXY comes from X-Forwarded-Proto and X-Forwarded-Host', () => {
    expect(appOrigin(h({ host: '10.0.0.5:3000', 'x-forwarded-host': 'dash.example', 'x-forwarded-proto': 'https' }), 1)).toBe('https://dash.example');
    expect(appOrigin(h({ host: 'dash.example:8443', 'x-forwarded-proto': 'https, http' }), 1)).toBe('https://dash.example:8443');
  });
});

describe('isCrossOrigin', () => {
  const own = { host: '127.0.0.1:3000' };
  it('passes the same full origin (Origin, or Referer when there is no Origin)', () => {
    expect(isCrossOrigin(h({ ...own, origin: 'http://127.0.0.1:3000' }), 0)).toBe(false);
    expect(isCrossOrigin(h({ ...own, referer: 'http://127.0.0.1:3000/dashboard/admin/sync' }), 0)).toBe(false);
    expect(isCrossOrigin(h({ ...own, origin: 'http://127.0.0.1:3000', 'sec-fetch-site': 'same-origin' }), 0)).toBe(false);
    // Not from a browser page at all (no Origin, no Referer): it carries no victim's cookie.
    expect(isCrossOrigin(h(own), 0)).toBe(false);
  });

  it('refuses another scheme, host or port, and Origin: null', () => {
    expect(isCrossOrigin(h({ ...own, origin: 'https://127.0.0.1:3000' }), 0)).toBe(true);
    expect(isCrossOrigin(h({ ...own, origin: 'http://127.0.0.1:3001' }), 0)).toBe(true);
    expect(isCrossOrigin(h({ ...own, origin: 'http://localhost:3000' }), 0)).toBe(true);
    expect(isCrossOrigin(h({ ...own, origin: 'null' }), 0)).toBe(true);
    expect(isCrossOrigin(h({ ...own, referer: 'https://evil.example/page' }), 0)).toBe(true);
    expect(isCrossOrigin(h({ ...own, origin: 'http://127.0.0.1:3000', 'sec-fetch-site': 'same-site' }), 0)).toBe(true);
    expect(isCrossOrigin(h({ origin: 'http://127.0.0.1:3000' }), 0)).toBe(true); // no Host to compare with
  });

  it('does not believe X-Forwarded-Host / -Proto unless TRUST_PROXY', () => {
    const forged = h({ ...own, origin: 'https://evil.example', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' });
    expect(isCrossOrigin(forged, 0)).toBe(true);
    // Behind a trusted proxy those headers are the proxy's word, so they define the app's origin.
    expect(isCrossOrigin(h({ host: '10.0.0.5:3000', origin: 'https://dash.example', 'x-forwarded-host': 'dash.example', 'x-forwarded-proto': 'https' }), 1)).toBe(false);
    expect(isCrossOrigin(h({ host: '10.0.0.5:3000', origin: 'http://dash.example', 'x-forwarded-host': 'dash.example', 'x-forwarded-proto': 'https' }), 1)).toBe(true);
  });
});
