import { createHash } from 'node:crypto';
import { credentialsIdentity, type PimsCredentials, type PimsProvider, type PimsSession, type PimsSessionOptions } from '@pims/pims';

interface Entry {
  key: string;
  session: PimsSession;
  timer: NodeJS.Timeout | null;
  inUse: boolean;
}

/**
 * Keeps a clinic's logged-in PIMS session for a while after a sync, so the next sync of that clinic
 * (a re-run, a reconcile after a full sync) does not log in again. One sync of a clinic runs at a
 * time, so a session is lent to one sync at a time. Keyed by the provider and the credentials'
 * hash: a clinic moved to another PIMS, or a changed password, opens a new session. Sessions idle
 * past `idleMs` are closed; at most `max` are kept.
 * An expired PIMS session is not a problem: the client logs in again on its own.
 */
export class PimsSessionPool {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly opts: { idleMs?: number; max?: number } = {}) {}

  /** A logged-in session of the clinic's PIMS: the one kept from its last sync, or a new log-in with `provider`. */
  async acquire(provider: PimsProvider, clinicId: string, credentials: PimsCredentials, sessionOpts: PimsSessionOptions): Promise<PimsSession> {
    const key = createHash('sha256')
      .update(JSON.stringify([provider.name, clinicId, credentialsIdentity(credentials), sessionOpts.timezone]))
      .digest('hex');
    const existing = this.entries.get(clinicId);
    if (existing && existing.key === key && !existing.inUse) {
      if (existing.timer) clearTimeout(existing.timer);
      existing.timer = null;
      existing.inUse = true;
      return existing.session;
    }
    if (existing && !existing.inUse) await this.drop(clinicId);
    const session = await provider.authenticate(credentials, sessionOpts);
    if (!this.entries.has(clinicId)) this.entries.set(clinicId, { key, session, timer: null, inUse: true });
    return session;
  }

  /** Returns a session after a sync; `discard` closes it (e.g. after PIMS errors). */
  async release(clinicId: string, session: PimsSession, discard = false): Promise<void> {
    const entry = this.entries.get(clinicId);
    if (!entry || entry.session !== session || discard || (this.opts.idleMs ?? 300_000) <= 0) {
      if (entry?.session === session) this.entries.delete(clinicId);
      await session.close().catch(() => undefined);
      return;
    }
    entry.inUse = false;
    entry.timer = setTimeout(() => void this.drop(clinicId), this.opts.idleMs ?? 300_000);
    entry.timer.unref();
    const idle = [...this.entries.entries()].filter(([, e]) => !e.inUse);
    for (const [id] of idle.slice(0, Math.max(0, this.entries.size - (this.opts.max ?? 20)))) await this.drop(id);
  }

  private async drop(clinicId: string): Promise<void> {
    const entry = this.entries.get(clinicId);
    if (!entry || entry.inUse) return;
    this.entries.delete(clinicId);
    if (entry.timer) clearTimeout(entry.timer);
    await entry.session.close().catch(() => undefined);
  }

  /** Closes every idle session (on shutdown). */
  async closeAll(): Promise<void> {
    await Promise.all([...this.entries.keys()].map((id) => this.drop(id)));
  }

  get size(): number {
    return this.entries.size;
  }
}
