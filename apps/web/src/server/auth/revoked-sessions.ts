/**
 * The sessions signed out before their tokens expire, by session id (the token's `session_id`,
 * which is also its `jti`), each kept until that token's own expiry.
 *
 * In memory of this web server process, on purpose: the web app has no database connection (it
 * talks to pims-sync only) and its tokens are checked nowhere else. So a restart forgets the list
 * (tokens signed before it stay valid if AUTH_JWT_SECRET is fixed; with a generated secret every
 * token dies with the process anyway), and several web replicas would each need the sign-out.
 */
export class RevokedSessions {
  private readonly until = new Map<string, number>();
  constructor(private readonly now: () => number = Date.now) {}

  revoke(sessionId: string, expiresAt: Date): void {
    const t = this.now();
    for (const [id, exp] of this.until) if (exp <= t) this.until.delete(id);
    if (expiresAt.getTime() > t) this.until.set(sessionId, expiresAt.getTime());
  }

  isRevoked(sessionId: string): boolean {
    const exp = this.until.get(sessionId);
    if (exp === undefined) return false;
    if (exp <= this.now()) {
      this.until.delete(sessionId);
      return false;
    }
    return true;
  }

  get size(): number {
    return this.until.size;
  }
}

// One list per process: Next bundles the tRPC route, the pages and the server actions separately,
// and each bundle would otherwise get its own copy of this module's state.
const KEY = Symbol.for('pims.web.revokedSessions');

export function revokedSessions(): RevokedSessions {
  const g = globalThis as { [KEY]?: RevokedSessions };
  return (g[KEY] ??= new RevokedSessions());
}
