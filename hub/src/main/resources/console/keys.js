// API keys for other systems (#/settings, section "API keys"; docs/data-sharing.md): property
// managers and administrators create and revoke them, auditors see which exist. A new key is
// shown once, right after it is made: the hub keeps only its hash and cannot show it again.
import { api, ApiError } from './api.js';
import { $, el } from './dom.js';
import { t } from './i18n.js';
import { dateTime } from './format.js';

const EDITORS = ['admin', 'property_manager'];
/** The hub's scopes (auth.Scope); labels under keys.scope.<scope with _ for :>. */
const SCOPES = ['incidents:read', 'aggregates:read', 'opendata:read', 'metrics:read'];

const scopeLabel = s => t('keys.scope.' + s.replace(':', '_'));
const when = iso => iso ? el('time', { datetime: iso }, dateTime(iso)) : '–';

/** Fills the section with the keys and, for editors, the form; {@code fresh} is a key just made. */
export async function showApiKeys(role, fresh) {
  const box = $('settings-keys');
  const title = el('h2', null, t('keys.title'));
  let keys;
  try {
    keys = (await api('/api/keys')).keys;
  } catch (e) {
    const forbidden = e instanceof ApiError && e.status === 403;
    box.replaceChildren(title, el('p', { class: forbidden ? 'empty' : 'error' }, forbidden ? t('settings.not_for_role') : e.message));
    return;
  }
  const editable = EDITORS.includes(role);
  const outcome = el('p', { id: 'keys-outcome', class: 'outcome', role: 'status', 'aria-live': 'polite' });
  box.replaceChildren(title, el('p', { class: 'sub' }, t('keys.hint')),
    fresh ? created(fresh) : '',
    keys.length ? table(keys, editable, outcome, role) : el('p', { class: 'empty' }, t('keys.none')),
    editable ? form(outcome, role) : '', editable ? '' : outcome);
}

/** The key just made, to copy now: it is never shown again. */
function created(key) {
  return el('div', { id: 'key-created', class: 'notice', role: 'alert' },
    el('p', null, el('strong', null, t('keys.created', { name: key.name }))),
    el('label', null, t('keys.copy_now') + ' ',
      el('input', { id: 'key-secret', readonly: true, value: key.key, size: 64, class: 'secret', onfocus: e => e.target.select() })));
}

function table(keys, editable, outcome, role) {
  const head = ['keys.name', 'keys.owner', 'keys.scopes', 'keys.rate', 'keys.created_at', 'keys.expires_at',
    'keys.last_used_at', 'keys.status'];
  return el('table', { class: 'data settings', id: 'keys-table' },
    el('thead', null, el('tr', null, ...head.map(k => el('th', { scope: 'col' }, t(k))), editable ? el('th', { scope: 'col' }) : '')),
    el('tbody', null, ...keys.map(k => el('tr', { 'data-key': k.id, class: 'key-' + k.status },
      el('td', null, k.name, el('span', { class: 'sub' }, el('code', null, k.id))),
      el('td', null, k.owner),
      el('td', null, k.scopes.map(scopeLabel).join(', ')),
      el('td', null, String(k.rate_per_minute)),
      el('td', null, when(k.created_at), el('span', { class: 'sub' }, k.created_by)),
      el('td', null, when(k.expires_at)),
      el('td', null, when(k.last_used_at)),
      el('td', null, t('keys.status.' + k.status), k.revoked_by ? el('span', { class: 'sub' }, k.revoked_by) : ''),
      editable ? el('td', null, k.status === 'revoked' ? '' : el('button', { type: 'button', class: 'secondary', onclick: async ev => {
        if (!confirm(t('keys.revoke_confirm', { name: k.name }))) return;
        ev.target.disabled = true;
        try {
          await api('/api/keys/' + encodeURIComponent(k.id), { method: 'DELETE' });
          await showApiKeys(role);
          $('keys-outcome').className = 'outcome saved';
          $('keys-outcome').textContent = t('keys.revoked', { name: k.name });
        } catch (e) {
          ev.target.disabled = false;
          outcome.className = 'outcome error';
          outcome.textContent = t('settings.failed', { message: e.message });
        }
      } }, t('keys.revoke'))) : ''))));
}

function form(outcome, role) {
  return el('form', { id: 'key-form', novalidate: true, onsubmit: async ev => {
    ev.preventDefault();
    const f = new FormData(ev.target);
    const body = { name: f.get('name').trim(), owner: f.get('owner').trim(), scopes: f.getAll('scope') };
    if (f.get('rate')) body.rate_per_minute = Number(f.get('rate'));
    // A date means the start of that day, UTC, as the hub reads dates elsewhere.
    if (f.get('expires')) body.expires_at = f.get('expires') + 'T00:00:00Z';
    const button = ev.submitter || ev.target.querySelector('button');
    button.disabled = true;
    outcome.textContent = '';
    try {
      await showApiKeys(role, await api('/api/keys', { method: 'POST', body }));
    } catch (e) {
      outcome.className = 'outcome error';
      outcome.textContent = t('settings.failed', { message: e.message });
      button.disabled = false;
    }
  } },
  el('h3', null, t('keys.new')),
  el('div', { class: 'inline-form' },
    el('label', null, t('keys.name') + ' ', el('input', { name: 'name', required: true, maxlength: 100, placeholder: t('keys.name_example') })),
    el('label', null, t('keys.owner') + ' ', el('input', { name: 'owner', required: true, maxlength: 200 }))),
  el('fieldset', null, el('legend', null, t('keys.scopes')),
    ...SCOPES.map(s => el('label', { class: 'check' }, el('input', { type: 'checkbox', name: 'scope', value: s }), ' ', scopeLabel(s),
      ' ', el('code', null, s)))),
  el('div', { class: 'inline-form' },
    el('label', null, t('keys.rate') + ' ', el('input', { name: 'rate', type: 'number', min: 1, max: 100000, class: 'num',
      placeholder: t('keys.rate_default') })),
    el('label', null, t('keys.expires_at') + ' ', el('input', { name: 'expires', type: 'date' }))),
  el('div', { class: 'form-actions' }, el('button', { type: 'submit', id: 'key-create' }, t('keys.create')), outcome));
}
