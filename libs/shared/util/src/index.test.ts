import { describe, expect, it } from 'vitest';
import * as core from '@pims/util-core';
import * as util from './index';

describe('@pims/util', () => {
  it('re-exports every browser-safe helper of @pims/util-core (the same objects) beside crypto', () => {
    for (const [name, value] of Object.entries(core)) expect(util[name as keyof typeof util], name).toBe(value);
    expect(new util.AppError('x', 'y')).toBeInstanceOf(core.AppError);
    expect(typeof util.encryptSecret).toBe('function');
    expect('encryptSecret' in core).toBe(false);
  });
});
