import { AppError } from '@pims/util-core';
import { pimsProviderUnknown } from './errors';
import type { PimsProvider, PimsProviderName } from './provider';

/** The providers an app registered, keyed by `clinics.pims_provider`. */
export interface PimsRegistry {
  /** The provider for a clinic's `pims_provider`; pims_provider_unknown when none is registered under it. */
  get(name: string): PimsProvider;
  has(name: string): boolean;
  names(): PimsProviderName[];
  /** Warms every provider up (each one's failure is its own: the others still warm up). */
  warmUp(): Promise<PromiseSettledResult<void>[]>;
  /** Closes every provider. */
  close(): Promise<void>;
}

/** Registers providers by name (at an app's composition root). Two providers with one name are refused. */
export function createPimsRegistry(providers: readonly PimsProvider[]): PimsRegistry {
  const byName = new Map<string, PimsProvider>();
  for (const p of providers) {
    if (byName.has(p.name)) throw new AppError('invalid_input', `Two PIMS providers are registered as '${p.name}'`, { status: 500 });
    byName.set(p.name, p);
  }
  const names = () => [...byName.keys()] as PimsProviderName[];
  return {
    get(name: string): PimsProvider {
      const p = byName.get(name);
      if (!p) throw pimsProviderUnknown(String(name), names());
      return p;
    },
    has: (name: string) => byName.has(name),
    names,
    warmUp: () =>
      Promise.allSettled(
        [...byName.values()].map(async (p) => {
          await p.warmUp?.();
        }),
      ),
    async close(): Promise<void> {
      const results = await Promise.allSettled([...byName.values()].map((p) => p.close()));
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
    },
  };
}
