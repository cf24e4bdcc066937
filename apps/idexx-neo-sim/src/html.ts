import type { Clinic } from './model';

/** The HTML pages, shaped like Neo's (docs/idexx-neo-wire.md fixes the ids and names). */

export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(
    /[&<>"']/g,
    (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!,
  );
}

const STYLE = `
  body { font-family: "Helvetica Neue", Arial, sans-serif; margin: 0; background: #f4f6f8; color: #222; }
  .neo-header { background: #00557f; color: #fff; padding: 10px 20px; display: flex; gap: 20px; align-items: center; }
  .neo-header a { color: #fff; text-decoration: none; }
  .neo-logo { font-weight: bold; letter-spacing: .5px; }
  .login-box { max-width: 380px; margin: 80px auto; background: #fff; padding: 30px; border-radius: 6px; box-shadow: 0 1px 4px rgba(0,0,0,.15); }
  .form-group { margin-bottom: 14px; }
  .form-group label { display: block; font-size: 13px; margin-bottom: 4px; }
  .form-group input { width: 100%; box-sizing: border-box; padding: 8px; border: 1px solid #bbb; border-radius: 4px; }
  .btn { background: #00557f; color: #fff; border: 0; padding: 9px 18px; border-radius: 4px; cursor: pointer; }
  .alert-danger { background: #f8d7da; color: #721c24; padding: 10px; border-radius: 4px; margin-bottom: 14px; }
  main { padding: 20px; }
  .toolbar { display: flex; gap: 8px; align-items: center; margin-bottom: 12px; }
  .fc-columns { display: flex; gap: 10px; align-items: flex-start; }
  .fc-column { flex: 1; background: #fff; border-radius: 4px; padding: 8px; min-height: 100px; }
  .fc-column h3 { font-size: 14px; margin: 0 0 8px; }
  .fc-event { border-radius: 3px; padding: 4px 6px; margin-bottom: 4px; color: #fff; font-size: 12px; }
  .fc-event-block, .fc-event-roster { color: #333; font-style: italic; }
  .fc-status { float: right; opacity: .85; }
`;

function page(title: string, body: string, extraHead = ''): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>${extraHead}
</head>
<body>
${body}
</body>
</html>
`;
}

/** What a logged-in page shows of its session: the CSRF token (in a meta tag) and the user's name. */
export interface PageSession {
  csrfToken: string;
  userName: string;
}

function sessionHead(s: PageSession): string {
  return `\n<meta name="csrf-token" content="${escapeHtml(s.csrfToken)}">`;
}

function header(clinic: Clinic, s: PageSession): string {
  return `<header class="neo-header"><span class="neo-logo">IDEXX Neo</span><span id="clinic_name">${escapeHtml(clinic.name)}</span>
<span id="current_user" class="neo-user">${escapeHtml(s.userName)}</span>
<nav><a href="/dashboard">Dashboard</a> &middot; <a href="/schedule" id="nav_schedule">Schedule</a> &middot; <a href="/logout">Log out</a></nav></header>`;
}

export interface LoginPageOptions {
  showCompanyId: boolean;
  csrfToken: string;
  seLoginRequest: string;
  error?: string;
  companyId?: string;
  username?: string;
}

export function loginPage(o: LoginPageOptions): string {
  const company = o.showCompanyId
    ? `<div class="form-group"><label for="company_id">Company ID</label><input type="text" id="company_id" name="company_id" inputmode="numeric" autocomplete="organization" value="${escapeHtml(o.companyId ?? '')}"></div>\n`
    : '';
  return page(
    'IDEXX Neo - Login',
    `<div class="login-box" id="login_page">
<h1>IDEXX Neo</h1>
<p>Please sign in to continue.</p>
${o.error ? `<div class="alert alert-danger" id="login_error">${escapeHtml(o.error)}</div>\n` : ''}<form id="login_form" method="post" action="/login" autocomplete="off">
<input type="hidden" name="csrf_neo_token" value="${escapeHtml(o.csrfToken)}">
<input type="hidden" name="se_login_request" value="${escapeHtml(o.seLoginRequest)}">
<input type="hidden" name="submitted" value="TRUE">
${company}<div class="form-group"><label for="username">Username</label><input type="text" id="username" name="username" autocomplete="username" value="${escapeHtml(o.username ?? '')}"></div>
<div class="form-group"><label for="password">Password</label><input type="password" id="password" name="password" autocomplete="current-password"></div>
<button type="submit" id="login_button" class="btn btn-primary">Log in</button>
</form>
<p><a href="/login/forgot">Forgot your password?</a></p>
</div>`,
  );
}

export function mfaPage(error?: string): string {
  return page(
    'IDEXX Neo - Verification',
    `<div class="login-box" id="mfa_page">
<h1>Two-step verification</h1>
<p>Enter the verification code sent to your registered device.</p>
${error ? `<div class="alert alert-danger" id="mfa_error">${escapeHtml(error)}</div>\n` : ''}<form id="mfa_form" method="post" action="/login/mfa">
<div class="form-group"><label for="mfa_code">Verification code</label><input type="text" id="mfa_code" name="mfa_code" inputmode="numeric" autocomplete="one-time-code"></div>
<button type="submit" id="mfa_button" class="btn btn-primary">Verify</button>
</form>
<p><a href="/login/">Back to login</a></p>
</div>`,
  );
}

export function dashboardPage(clinic: Clinic, today: string, session: PageSession): string {
  return page(
    `Dashboard - ${clinic.name} - IDEXX Neo`,
    `${header(clinic, session)}
<main><div id="dashboard_shell" data-company-id="${escapeHtml(clinic.companyId)}">
<h1>${escapeHtml(clinic.name)}</h1>
<p>Welcome back. Today is <span id="dashboard_today">${escapeHtml(today)}</span>.</p>
<ul><li><a href="/schedule">Open the schedule</a></li></ul>
</div></main>`,
    sessionHead(session),
  );
}

/** The schedule: a day view whose own script fetches the calendar JSON and renders it (as Neo's FullCalendar does). */
export function schedulePage(clinic: Clinic, date: string, today: string, session: PageSession): string {
  const script = `
(function () {
  var shell = document.getElementById('schedule_shell');
  var date = shell.getAttribute('data-date');
  var today = shell.getAttribute('data-today');
  var calendar = document.getElementById('calendar');
  var errorBox = document.getElementById('schedule_error');
  function pad(n) { return (n < 10 ? '0' : '') + n; }
  function addDays(d, n) {
    var p = d.split('-');
    var t = new Date(Date.UTC(+p[0], +p[1] - 1, +p[2] + n));
    return t.getUTCFullYear() + '-' + pad(t.getUTCMonth() + 1) + '-' + pad(t.getUTCDate());
  }
  function esc(s) {
    return String(s == null ? '' : s).replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  }
  function getJson(url) {
    return fetch(url, { credentials: 'same-origin', headers: { 'Accept': 'application/json', 'X-Requested-With': 'XMLHttpRequest' } })
      .then(function (r) {
        var ct = r.headers.get('content-type') || '';
        if (r.ok && ct.indexOf('application/json') >= 0) return r.json();
        if (r.ok) throw new Error('Your session has expired. Please log in again.');
        throw new Error('The schedule could not be loaded (HTTP ' + r.status + ').');
      });
  }
  function go(d) { window.location.search = '?date=' + d; }
  document.getElementById('prev_day').addEventListener('click', function () { go(addDays(date, -1)); });
  document.getElementById('next_day').addEventListener('click', function () { go(addDays(date, 1)); });
  document.getElementById('today_btn').addEventListener('click', function () { go(today); });
  document.getElementById('schedule_date').textContent = date;
  var range = 'start=' + encodeURIComponent(date + ' 00:00:00') + '&end=' + encodeURIComponent(addDays(date, 1) + ' 00:00:00');
  Promise.all([getJson('/appointments/getAppointmentView'), getJson('/appointments/getCalendarEventData?' + range)])
    .then(function (res) {
      var view = res[0], data = res[1];
      var events = (data.events || []).filter(function (e) { return e.id && e.start; });
      var columns = (data.resources || []).map(function (r) { return { id: r.id, title: r.title, events: [] }; });
      var other = { id: '', title: 'Other', events: [] };
      events.forEach(function (e) {
        var col = columns.filter(function (c) { return c.id === e.resourceId; })[0] || other;
        col.events.push(e);
      });
      if (other.events.length) columns.push(other);
      var html = '<p id="event_count">' + events.length + ' events</p><div class="fc-columns">';
      columns.forEach(function (c) {
        html += '<div class="fc-column" data-resource-id="' + esc(c.id) + '"><h3>' + esc(c.title) + '</h3>';
        c.events.forEach(function (e) {
          var kind = e.is_block ? ' fc-event-block' : e.is_roster ? ' fc-event-roster' : '';
          html += '<div class="fc-event' + kind + '" data-event-id="' + esc(e.id) + '" data-status="' + esc(e.current_status) +
            '" style="background:' + esc(e.backgroundColor) + '" title="' + esc(e.popup_title_text) + '">' +
            '<span class="fc-time">' + esc(String(e.start).slice(11, 16)) + '&ndash;' + esc(String(e.end).slice(11, 16)) + '</span> ' +
            '<span class="fc-title">' + esc(e.title) + '</span>' +
            (e.is_block || e.is_roster ? '' : ' <span class="fc-status ' + esc(e.status_class) + '">' + esc(e.status_label) + '</span>') +
            '</div>';
        });
        html += '</div>';
      });
      html += '</div><p class="fc-footer">Slots of ' + esc(view.slotInterval) + ' minutes</p>';
      calendar.innerHTML = html;
      calendar.setAttribute('aria-busy', 'false');
      calendar.setAttribute('data-loaded', 'true');
    })
    .catch(function (err) {
      calendar.innerHTML = '';
      calendar.setAttribute('aria-busy', 'false');
      errorBox.textContent = err.message;
      errorBox.hidden = false;
    });
})();
`;
  return page(
    `Schedule - ${clinic.name} - IDEXX Neo`,
    `${header(clinic, session)}
<main id="schedule_shell" data-date="${escapeHtml(date)}" data-today="${escapeHtml(today)}">
<div class="toolbar"><button id="prev_day" class="btn" type="button">&lsaquo;</button><button id="today_btn" class="btn" type="button">Today</button><button id="next_day" class="btn" type="button">&rsaquo;</button><h2 id="schedule_date"></h2></div>
<div id="schedule_error" class="alert alert-danger" hidden></div>
<div id="calendar" class="fc" aria-busy="true"><p class="loading">Loading&hellip;</p></div>
</main>
<script>${script}</script>`,
    sessionHead(session),
  );
}

const REASONS: Record<number, string> = {
  404: 'Not Found',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

export function errorPage(status: number): string {
  const reason = REASONS[status] ?? 'Error';
  return page(
    `${status} ${reason}`,
    `<h1>${status} ${escapeHtml(reason)}</h1>\n<p>The server could not complete your request. Please try again later.</p>`,
  );
}
