import { describe, expect, it } from 'vitest';
import { classifyResponse, classifyThrown, isLoginPath, looksLikeLoginPage } from './classify';

const LOGIN_HTML = `<!doctype html><html><body><form id="login_form" method="post" action="/login">
<input name="company_id"><input name="username"><input type="password" name="password">
<input type="hidden" name="csrf_neo_token" value="abc"><button type="submit" id="login_button">Log in</button></form></body></html>`;

const res = (status: number, body = '', headers: Record<string, string> = {}) => ({ status, body, headers });

describe('classifyResponse', () => {
  it('accepts JSON objects and arrays', () => {
    expect(classifyResponse(res(200, '{"events":[]}'), 'x')).toEqual({ kind: 'ok', data: { events: [] } });
    expect(classifyResponse(res(200, ' [1,2] '), 'x')).toEqual({ kind: 'ok', data: [1, 2] });
  });

  it('sees an expired session in a redirect to /login, a login page, or 401', () => {
    expect(classifyResponse(res(302, '', { location: '/login/' }), 'x').kind).toBe('expired');
    expect(classifyResponse(res(302, '', { location: 'https://us.idexxneo.com/login' }), 'x').kind).toBe('expired');
    expect(classifyResponse(res(200, LOGIN_HTML, { 'content-type': 'text/html' }), 'x').kind).toBe('expired');
    expect(classifyResponse(res(200, '<html><input type=password name=pw></html>'), 'x').kind).toBe('expired');
    expect(classifyResponse(res(401, '{"error":"unauthorized"}'), 'x').kind).toBe('expired');
    expect(classifyResponse(res(403, LOGIN_HTML), 'x').kind).toBe('expired');
  });

  it('retries 5xx, 429 (with Retry-After), 408', () => {
    for (const s of [500, 502, 503, 504, 408]) expect(classifyResponse(res(s, '<html>oops</html>'), 'x').kind).toBe('transient');
    const limited = classifyResponse(res(429, '', { 'retry-after': '1' }), 'x');
    expect(limited).toMatchObject({ kind: 'transient', rateLimited: true, retryAfterMs: 1000, status: 429 });
    expect(classifyResponse(res(503, '', { 'retry-after': '2' }), 'x')).toMatchObject({ retryAfterMs: 2000, rateLimited: false });
  });

  it('reports 404 as not found', () => {
    expect(classifyResponse(res(404, '{"error":"Not found"}'), 'x')).toEqual({ kind: 'not_found' });
  });

  it('does not retry other 4xx, non-JSON bodies or foreign redirects', () => {
    const tooLarge = classifyResponse(res(400, '{"error":"Date range too large"}'), '/appointments/getCalendarEventData');
    expect(tooLarge.kind).toBe('fatal');
    if (tooLarge.kind === 'fatal') {
      expect(tooLarge.error.code).toBe('pims_bad_response');
      expect(tooLarge.error.message).toContain('Date range too large');
      expect(tooLarge.error.retryable).toBe(false);
    }
    expect(classifyResponse(res(200, '<html><body>Hello</body></html>'), 'x').kind).toBe('fatal');
    expect(classifyResponse(res(200, '{"truncated'), 'x').kind).toBe('fatal');
    expect(classifyResponse(res(200, ''), 'x').kind).toBe('fatal');
    expect(classifyResponse(res(302, '', { location: '/maintenance' }), 'x').kind).toBe('fatal');
  });

  it('does not take JSON that mentions a password for a login page', () => {
    expect(classifyResponse(res(200, '{"notes":"<input type=\\"password\\"> csrf_neo_token"}'), 'x').kind).toBe('ok');
  });
});

describe('helpers', () => {
  it('recognises login paths', () => {
    expect(isLoginPath('/login')).toBe(true);
    expect(isLoginPath('/login/')).toBe(true);
    expect(isLoginPath('/login/mfa')).toBe(true);
    expect(isLoginPath('http://127.0.0.1:3200/login/?next=/x')).toBe(true);
    expect(isLoginPath('/dashboard')).toBe(false);
    expect(isLoginPath('/loginhelp')).toBe(false);
  });

  it('recognises the login page', () => {
    expect(looksLikeLoginPage(LOGIN_HTML)).toBe(true);
    expect(looksLikeLoginPage('<html><body>Server error</body></html>')).toBe(false);
    expect(looksLikeLoginPage('plain text password')).toBe(false);
  });

  it('classifies thrown errors', () => {
    expect(classifyThrown(new Error('apiRequestContext.get: Timeout 30000ms exceeded.'))).toMatchObject({ kind: 'transient', timeout: true, reason: 'timeout' });
    expect(classifyThrown(new Error('apiRequestContext.get: connect ECONNREFUSED 127.0.0.1:1'))).toMatchObject({ kind: 'transient', reason: 'ECONNREFUSED' });
    expect(classifyThrown(new Error('page.goto: net::ERR_CONNECTION_RESET at http://x'))).toMatchObject({ kind: 'transient', reason: 'net::ERR_CONNECTION_RESET' });
    expect(classifyThrown(new Error('apiRequestContext.get: Target page, context or browser has been closed'))).toEqual({ kind: 'closed' });
  });
});
