import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { resolveHost } from './host';

describe('npm start HOST', () => {
  it('binds to 127.0.0.1 unless HOST says otherwise', () => {
    expect(resolveHost(undefined)).toEqual({ bind: '127.0.0.1', url: '127.0.0.1' });
    expect(resolveHost('')).toEqual({ bind: '127.0.0.1', url: '127.0.0.1' });
    expect(resolveHost('192.0.2.7')).toEqual({ bind: '192.0.2.7', url: '192.0.2.7' });
    expect(resolveHost('localhost')).toEqual({ bind: 'localhost', url: 'localhost' });
  });

  it('reaches every-interface bindings through the loopback address, and brackets IPv6 in URLs', () => {
    expect(resolveHost('0.0.0.0')).toEqual({ bind: '0.0.0.0', url: '127.0.0.1' });
    expect(resolveHost('::')).toEqual({ bind: '::', url: '127.0.0.1' });
    expect(resolveHost('::1')).toEqual({ bind: '::1', url: '[::1]' });
    expect(resolveHost('[::1]')).toEqual({ bind: '::1', url: '[::1]' });
  });

  it('refuses what is not a host', () => {
    for (const bad of ['http://x', 'a b', 'x:3000', 'user@host']) expect(() => resolveHost(bad), bad).toThrow(/HOST must be/);
  });

  it('gives a URL that reaches a server bound to the address', async () => {
    const host = resolveHost(undefined);
    const srv = net.createServer((s) => s.end('hi'));
    await new Promise<void>((r) => srv.listen(0, host.bind, r));
    const { port } = srv.address() as net.AddressInfo;
    try {
      const url = new URL(`http://${host.url}:${port}`);
      const got = await new Promise<string>((resolve, reject) => {
        const c = net.connect(port, url.hostname, () => undefined);
        let data = '';
        c.on('data', (d) => (data += d));
        c.on('end', () => resolve(data));
        c.on('error', reject);
      });
      expect(got).toBe('hi');
    } finally {
      await new Promise((r) => srv.close(r));
    }
  });
});
