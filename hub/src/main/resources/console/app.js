// The console's entry: sign-in, the live feed, and which view shows (#/board, #/incidents/ID,
// #/site, #/devices/ID; the oversight pages of admin.js). Plain ES modules served by the hub: no build step, no CDN.
import { api, ApiError, setCsrfToken, whenSignedOut } from './api.js';
import { $ } from './dom.js';
import { applyTranslations, label, language, onLanguageChange, setLanguage, t } from './i18n.js';
import { Live } from './live.js';
import { onSoundState, soundAvailable, unlockSound } from './alarm.js';
import { incidentGone, incidentOpened, incidentUpdated, loadBoard, rerender, startBoard, stopBoard } from './board.js';
import { refreshIncident, showIncident } from './incident.js';
import { hideSite, refreshSite, rerenderSite, showSite } from './sitemap.js';
import { showDevice } from './device.js';
import { showReport } from './report.js';
import { homeFor, mayOpen, openPage, OVERSIGHT_VIEWS, oversightPage, showNav } from './admin.js';

const VIEWS = ['login', 'board', 'incident', 'site', 'device', 'report', 'notice', ...OVERSIGHT_VIEWS];
const STAFF = ['admin', 'property_manager', 'grid_worker', 'auditor'];
// Who enters phone reports (the hub answers 403 to anyone else).
const REPORTERS = ['admin', 'property_manager', 'grid_worker'];
const FALLBACK_POLL_MS = 10000;

let session = null;
let pollTimer = null;

const live = new Live({
  onEvent(type, row) {
    if (type === 'incident.opened') incidentOpened(row);
    if (type === 'incident.updated') incidentUpdated(row);
    if (type === 'incident.gone') incidentGone(row.id);
    refreshSite();
    refreshIncident(row.id);
  },
  onReset: () => follow(),
  onState: setLiveState,
  onSignedOut: () => signedOut(true)
});

function show(name) {
  for (const v of VIEWS) $('view-' + v).hidden = v !== name;
  for (const a of document.querySelectorAll('#nav a')) {
    if (a.dataset.view === name || (name === 'incident' && a.dataset.view === 'board') || (name === 'device' && a.dataset.view === 'site')) {
      a.setAttribute('aria-current', 'page');
    } else {
      a.removeAttribute('aria-current');
    }
  }
  if (name !== 'site') hideSite();
}

function route() {
  if (!session) {
    show('login');
    return;
  }
  const page = oversightPage(location.hash || homeFor(session.role));
  if (page && mayOpen(page, session.role)) {
    show(page);
    openPage(page, session);
    $('main').focus({ preventScroll: true });
    return;
  }
  if (!STAFF.includes(session.role)) {
    show('notice');
    return;
  }
  const hash = location.hash || '#/board';
  let m;
  if ((m = hash.match(/^#\/incidents\/(\d+)$/))) {
    show('incident');
    showIncident(Number(m[1]));
  } else if (hash === '#/report' && REPORTERS.includes(session.role)) {
    show('report');
    showReport();
  } else if (hash === '#/site') {
    show('site');
    showSite();
  } else if ((m = hash.match(/^#\/devices\/([^/]+)$/))) {
    show('device');
    showDevice(decodeURIComponent(m[1]));
  } else {
    show('board');
  }
  $('main').focus({ preventScroll: true });
}

/** Snapshot, then the live feed from exactly where the snapshot was taken. */
async function follow() {
  try {
    const lastEventId = await loadBoard();
    live.start(lastEventId);
  } catch (e) {
    if (!(e instanceof ApiError && e.status === 401)) setLiveState('down');
  }
}

function setLiveState(state) {
  const status = $('live-status');
  status.className = 'live-status ' + state;
  status.textContent = t('live.' + state);
  const warning = $('live-warning');
  warning.hidden = state === 'live';
  warning.textContent = t('live.warning');
  // While the feed is down, the board is polled so an alarm still arrives.
  clearInterval(pollTimer);
  if (state !== 'live' && session) pollTimer = setInterval(() => loadBoard().catch(() => {}), FALLBACK_POLL_MS);
}

function signedIn(s) {
  session = s;
  setCsrfToken(s.csrf_token);
  $('who').textContent = t('who', { user: s.username, role: label('role', s.role) });
  showNav(s.role, STAFF);
  $('nav-report').hidden = !REPORTERS.includes(s.role);
  $('logout').hidden = false;
  $('sound-hint').hidden = soundAvailable() || !STAFF.includes(s.role);
  if (STAFF.includes(s.role)) {
    startBoard(s.username);
    follow();
  }
  route();
}

function signedOut(expired) {
  session = null;
  live.stop();
  clearInterval(pollTimer);
  stopBoard();
  setCsrfToken(null);
  $('who').textContent = '';
  $('nav').hidden = true;
  $('logout').hidden = true;
  $('sound-hint').hidden = true;
  $('live-warning').hidden = true;
  $('live-status').textContent = '';
  $('login-error').textContent = expired ? t('login.expired') : '';
  show('login');
  $('login-username').focus();
}

$('login-form').addEventListener('submit', async ev => {
  ev.preventDefault();
  unlockSound(); // a click: the browser now lets the alarm sound
  const form = new FormData(ev.target);
  const button = $('login-submit');
  button.disabled = true;
  $('login-error').textContent = '';
  try {
    const s = await api('/api/auth/login', { method: 'POST', quietAuth: true,
      body: { username: form.get('username'), password: form.get('password') } });
    $('login-password').value = '';
    signedIn(s);
  } catch (e) {
    $('login-error').textContent = !(e instanceof ApiError) ? e.message
      : e.status === 401 ? t('login.wrong')
      : e.status === 429 ? t('login.limited', { s: e.retryAfter || '60' })
      : e.message;
  } finally {
    button.disabled = false;
  }
});

$('logout').addEventListener('click', async () => {
  try {
    await api('/api/auth/logout', { method: 'POST', quietAuth: true });
  } finally {
    signedOut(false);
  }
});

$('sound-on').addEventListener('click', unlockSound);
onSoundState(available => {
  $('sound-hint').hidden = available || !session || !STAFF.includes(session.role);
});

$('lang').addEventListener('change', e => setLanguage(e.target.value));

function setLargeText(on) {
  document.documentElement.classList.toggle('large-text', on);
  $('large-text').setAttribute('aria-pressed', String(on));
  localStorage.setItem('cg.large-text', on ? '1' : '0');
}
$('large-text').addEventListener('click', () => setLargeText(!document.documentElement.classList.contains('large-text')));

onLanguageChange(() => {
  if (session) $('who').textContent = t('who', { user: session.username, role: label('role', session.role) });
  rerender();
  rerenderSite();
  const status = $('live-status');
  if (status.className.split(' ')[1]) status.textContent = t('live.' + status.className.split(' ')[1]);
  if (session && (location.hash.match(/^#\/(incidents|devices)\//) || oversightPage(location.hash))) route();
});

whenSignedOut(() => signedOut(true));
window.addEventListener('hashchange', route);

async function init() {
  setLargeText(localStorage.getItem('cg.large-text') === '1');
  $('lang').value = language();
  applyTranslations();
  try {
    signedIn(await api('/api/auth/session', { quietAuth: true }));
  } catch (e) {
    signedOut(false);
  }
}

init();
