/**
 * The address npm start's services listen on: `HOST`, else 127.0.0.1 (this machine only). Set
 * HOST=0.0.0.0 (or ::) to serve every interface, or one interface's address.
 */
import net from 'node:net';

export interface StartHost {
  /** What pims-sync, web and the simulator bind to. */
  bind: string;
  /** The host part of a URL that reaches them (and is printed). */
  url: string;
}

const UNSPECIFIED = new Set(['0.0.0.0', '::']);

export function resolveHost(value: string | undefined): StartHost {
  const raw = value?.trim() || '127.0.0.1';
  const bind = raw.startsWith('[') && raw.endsWith(']') ? raw.slice(1, -1) : raw;
  if (/[\s/?#@[\]]/.test(bind) || (bind.includes(':') && !net.isIPv6(bind))) {
    throw new Error(`HOST must be a host name or an IP address (e.g. 127.0.0.1 or 0.0.0.0), got "${value}"`);
  }
  // Every interface includes the loopback one, which is what a URL on this machine should use.
  const url = UNSPECIFIED.has(bind) ? '127.0.0.1' : net.isIPv6(bind) ? `[${bind}]` : bind;
  return { bind, url };
}
