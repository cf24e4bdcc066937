import { createHash } from 'node:crypto';
import { credentialsIdentity, type PimsCredentials, type PimsProvider, type PimsSession } from '@pims/pims';
import type { PimsSessionPool } from '../services/pims-session-pool';

interface Shared {
  key: string;
  session: Promise<PimsSession>;
  users: number;
  /** A user saw it fail (an error of the PIMS): no new user joins it, and it is closed after the last. */
  bad: boolean;
}

export interface BorrowedSession {
  session: PimsSession;
  /** Hands it back; `bad` after a PIMS error (the session is then closed, not kept). */
  release(bad?: boolean): Promise<void>;
}

/**
 * The write-backs of one clinic running at once in this process share one logged-in session
 * (a provider's session takes concurrent calls, and logs in again once for all of them when it
 * expired). The session comes from the sync's pool (PimsSessionPool: the one the last sync of the
 * clinic left, or a new log-in) and goes back to it when the last write-back is done with it.
 */
export class SharedPimsSessions {
  private readonly shared = new Map<string, Shared>();

  constructor(private readonly pool: PimsSessionPool) {}

  async borrow(provider: PimsProvider, clinicId: string, credentials: PimsCredentials, timezone: string): Promise<BorrowedSession> {
    const key = createHash('sha256')
      .update(JSON.stringify([provider.name, credentialsIdentity(credentials), timezone]))
      .digest('hex');
    let entry = this.shared.get(clinicId);
    if (!entry || entry.bad || entry.key !== key) {
      if (entry && !entry.bad) entry.bad = true; // the credentials changed: this one ends with its users
      const fresh: Shared = { key, session: this.pool.acquire(provider, clinicId, credentials, { timezone }), users: 0, bad: false };
      fresh.session.catch(() => undefined);
      // An old one still in use stays with its users (they hold it), and is closed after the last.
      this.shared.set(clinicId, fresh);
      entry = fresh;
    }
    const mine = entry;
    mine.users += 1;
    let session: PimsSession;
    try {
      session = await mine.session;
    } catch (err) {
      mine.users -= 1;
      if (this.shared.get(clinicId) === mine) this.shared.delete(clinicId);
      throw err;
    }
    let done = false;
    return {
      session,
      release: async (bad = false) => {
        if (done) return;
        done = true;
        if (bad) mine.bad = true;
        mine.users -= 1;
        if (mine.users > 0) return;
        if (this.shared.get(clinicId) === mine) this.shared.delete(clinicId);
        await this.pool.release(clinicId, session, mine.bad);
      },
    };
  }
}
