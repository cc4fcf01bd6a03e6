// The audit log (#/audit), for auditors and administrators: who did what to what, and when,
// newest first, filtered by user and action, a page of 50 at a time ("Older" asks the hub for
// entries before the last one shown).
import { api } from './api.js';
import { $, el } from './dom.js';
import { t } from './i18n.js';
import { dateTime } from './format.js';

const PAGE = 50;
/** Actions the hub records, offered as suggestions; the filter takes any text. */
const ACTIONS = ['personal_data.read', 'thresholds.put', 'sla.put', 'routing.rule.put', 'routing.rule.delete',
  'routing.duty.put', 'routing.duty.delete', 'department.put', 'user.create', 'resident.create', 'report.app',
  'report.phone', 'incident.dispatch', 'incident.acknowledge', 'incident.check-in', 'incident.resolve',
  'incident.close', 'incident.reopen', 'incident.cancel', 'incident.escalate', 'api_key.create', 'api_key.revoke',
  'api_key.use'];

let filter = { actor: '', action: '' };
/** The "before" of each page shown so far: the first is null (newest). */
let pages = [null];

export function showAudit() {
  $('audit-body').replaceChildren(filters(), el('div', { id: 'audit-page' }));
  load();
}

function filters() {
  return el('form', { id: 'audit-filter', class: 'chart-tools inline-form', onsubmit: ev => {
    ev.preventDefault();
    const form = new FormData(ev.target);
    filter = { actor: form.get('actor').trim(), action: form.get('action').trim() };
    pages = [null];
    load();
  } },
  el('label', null, t('audit.actor') + ' ', el('input', { name: 'actor', value: filter.actor, maxlength: 64 })),
  el('label', null, t('audit.action') + ' ', el('input', { name: 'action', value: filter.action, list: 'audit-actions', maxlength: 64 })),
  el('datalist', { id: 'audit-actions' }, ...ACTIONS.map(a => el('option', { value: a }))),
  el('button', { type: 'submit', class: 'secondary' }, t('audit.apply')));
}

async function load() {
  const box = $('audit-page');
  const before = pages[pages.length - 1];
  const query = new URLSearchParams({ limit: String(PAGE) });
  if (filter.actor) query.set('actor', filter.actor);
  if (filter.action) query.set('action', filter.action);
  if (before) query.set('before', before);
  box.replaceChildren(el('p', null, t('common.loading')));
  let entries;
  try {
    entries = (await api('/api/audit?' + query)).entries;
  } catch (e) {
    box.replaceChildren(el('p', { class: 'error', role: 'alert' }, e.message));
    return;
  }
  const nav = el('div', { class: 'chart-tools' },
    el('button', { type: 'button', class: 'secondary', disabled: pages.length === 1,
      onclick: () => { pages = [null]; load(); } }, t('audit.newest')),
    el('button', { type: 'button', class: 'secondary', id: 'audit-older', disabled: entries.length < PAGE,
      onclick: () => { pages.push(entries[entries.length - 1].at); load(); } }, t('audit.older')),
    el('span', { class: 'sub' }, t('audit.page', { n: pages.length })));
  if (!entries.length) {
    box.replaceChildren(el('p', { class: 'empty' }, t('audit.empty')), nav);
    return;
  }
  box.replaceChildren(
    el('table', { class: 'data', id: 'audit-table' },
      el('caption', { class: 'visually-hidden' }, t('audit.title')),
      el('thead', null, el('tr', null, ...['audit.when', 'audit.actor', 'audit.action', 'audit.target', 'audit.details']
        .map(k => el('th', { scope: 'col' }, t(k))))),
      el('tbody', null, ...entries.map(e => el('tr', { 'data-action': e.action },
        el('td', null, el('time', { datetime: e.at }, dateTime(e.at))),
        el('td', null, e.actor),
        el('td', null, el('code', null, e.action)),
        el('td', null, [e.subject_type, e.subject_id].filter(Boolean).join(' ')),
        el('td', { class: 'details' }, details(e.details)))))),
    nav);
}

function details(d) {
  const entries = Object.entries(d || {});
  if (!entries.length) return '';
  return entries.map(([k, v]) => `${k}: ${typeof v === 'object' ? JSON.stringify(v) : v}`).join(' · ');
}
