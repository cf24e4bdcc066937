import { describe, expect, it } from 'vitest';
import { AppError, describeError } from '@pims/util-core';
import { PIMS_ERROR_CODES, isPimsError, pimsAuthFailed, pimsBadResponse, pimsConflict, pimsError, pimsMfaRequired, pimsNotFound, pimsUnavailable, pimsWriteUnsupported } from './errors';

describe('PIMS errors', () => {
  it('are AppErrors with the code, its usual status and retry hint', () => {
    const cases: [AppError, string, number, boolean][] = [
      [pimsAuthFailed('refused'), 'pims_auth_failed', 401, false],
      [pimsMfaRequired('code asked'), 'pims_mfa_required', 401, false],
      [pimsUnavailable('down'), 'pims_unavailable', 503, true],
      [pimsBadResponse('garbled'), 'pims_bad_response', 502, false],
      [pimsNotFound('no such patient'), 'pims_not_found', 404, false],
      [pimsConflict('visit finished'), 'pims_conflict', 409, false],
      [pimsWriteUnsupported('idexx_neo'), 'pims_write_unsupported', 501, false],
    ];
    for (const [err, code, status, retryable] of cases) {
      expect(err).toBeInstanceOf(AppError);
      expect(err).toMatchObject({ code, status, retryable });
      expect(isPimsError(err)).toBe(true);
      expect(isPimsError(err, code as (typeof PIMS_ERROR_CODES)[number])).toBe(true);
      expect(describeError(err).code).toBe(code);
    }
  });

  it('let a provider override status, retry hint and details', () => {
    const err = pimsUnavailable('no log-in page', { status: 502, retryable: false, details: { host: 'x' } });
    expect(err).toMatchObject({ code: 'pims_unavailable', status: 502, retryable: false, details: { host: 'x' } });
    expect(pimsError('pims_bad_response', 'm', { cause: err }).cause).toBe(err);
  });

  it('tells PIMS errors from others', () => {
    expect(isPimsError(new AppError('invalid_input', 'x'))).toBe(false);
    expect(isPimsError(new Error('pims_unavailable'))).toBe(false);
    expect(isPimsError(pimsNotFound('x'), 'pims_unavailable')).toBe(false);
  });
});
