import { describe, expect, it } from 'vitest';
import { noopLogger, type Logger } from '@pims/util';
import { redactingLogger, type PimsLogger } from './logger';

describe('redactingLogger', () => {
  it('removes secrets from messages and string fields', () => {
    const lines: unknown[] = [];
    const sink: PimsLogger = { warn: (fields, message) => lines.push({ fields, message }) };
    const log = redactingLogger(sink, () => ['Sim-Pass-2026!']);
    log.warn({ reason: 'bad Sim-Pass-2026! here', n: 3 }, 'password=Sim-Pass-2026! failed');
    expect(JSON.stringify(lines)).not.toContain('Sim-Pass-2026!');
    expect(lines).toHaveLength(1);
    log.info({}, 'no info method: ignored');
    expect(lines).toHaveLength(1);
  });

  it('accepts the shared Logger of @pims/util, and survives a throwing logger', () => {
    const shared: Logger = noopLogger;
    const asPims: PimsLogger = shared;
    expect(() => redactingLogger(asPims, () => []).info({}, 'x')).not.toThrow();
    const throwing: PimsLogger = {
      error: () => {
        throw new Error('disk full');
      },
    };
    expect(() => redactingLogger(throwing, () => []).error({}, 'x')).not.toThrow();
  });
});
