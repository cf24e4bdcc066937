import { describe, expect, it } from 'vitest';
import { createPimsRegistry } from './registry';
import type { PimsProvider } from './provider';
import { createFakePimsProvider } from './testing';

function provider(name: PimsProvider['name'], log: string[], warmUpFails = false): PimsProvider {
  return {
    name,
    authenticate: async () => {
      throw new Error('not used');
    },
    warmUp: async () => {
      log.push(`warm ${name}`);
      if (warmUpFails) throw new Error(`${name} has no browser`);
    },
    close: async () => {
      log.push(`close ${name}`);
    },
  };
}

describe('createPimsRegistry', () => {
  it('hands out the provider registered under a clinic’s pims_provider', () => {
    const neo = createFakePimsProvider({ name: 'idexx_neo' });
    const ezy = createFakePimsProvider({ name: 'ezyvet' });
    const r = createPimsRegistry([neo, ezy]);
    expect(r.get('idexx_neo')).toBe(neo);
    expect(r.get('ezyvet')).toBe(ezy);
    expect(r.names()).toEqual(['idexx_neo', 'ezyvet']);
    expect(r.has('ezyvet')).toBe(true);
    expect(r.has('cornerstone')).toBe(false);
  });

  it('answers an unknown or unregistered provider with pims_provider_unknown', () => {
    const r = createPimsRegistry([createFakePimsProvider({ name: 'idexx_neo' })]);
    for (const name of ['ezyvet', 'cornerstone', '']) {
      expect(() => r.get(name)).toThrowError(expect.objectContaining({ code: 'pims_provider_unknown', status: 422, details: { provider: name, known: ['idexx_neo'] } }));
    }
    expect(() => r.get('ezyvet')).toThrow("No PIMS provider 'ezyvet' is registered (known: idexx_neo)");
  });

  it('refuses two providers under one name', () => {
    expect(() => createPimsRegistry([createFakePimsProvider({ name: 'ezyvet' }), createFakePimsProvider({ name: 'ezyvet' })])).toThrowError(
      expect.objectContaining({ code: 'invalid_input' }),
    );
  });

  it('warms every provider up even when one fails, and closes them all', async () => {
    const log: string[] = [];
    const r = createPimsRegistry([provider('idexx_neo', log, true), provider('ezyvet', log)]);
    const warm = await r.warmUp();
    expect(warm.map((w) => w.status)).toEqual(['rejected', 'fulfilled']);
    expect(log).toEqual(['warm idexx_neo', 'warm ezyvet']);
    await r.close();
    expect(log.slice(2).sort()).toEqual(['close ezyvet', 'close idexx_neo']);
  });
});
