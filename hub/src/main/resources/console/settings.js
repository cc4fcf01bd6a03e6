// Configuration (#/settings): a community's detection thresholds, the routing table (incident
// type -> department, duty per grid and department), the SLA deadlines per severity, the API
// keys of other systems (keys.js) and how long each kind of data is kept (read-only: set in the
// hub's configuration, docs/retention.md). Property managers and administrators edit; supervisors and
// auditors read what the hub lets them read.
// The hub checks every value and audits every change; the page shows its answer as it is.
import { api, ApiError } from './api.js';
import { $, el } from './dom.js';
import { label, t } from './i18n.js';
import { dateTime, number } from './format.js';
import { showApiKeys } from './keys.js';

const EDITORS = ['admin', 'property_manager'];
const SEVERITIES = ['critical', 'major', 'minor', 'info'];
const STEPS = ['acknowledge_s', 'on_site_s', 'resolve_s'];

let role = null;
let community = null;

export async function showSettings(session) {
  role = session.role;
  $('settings-body').replaceChildren(
    EDITORS.includes(role) ? '' : el('p', { class: 'notice' }, t('settings.read_only')),
    el('section', { id: 'settings-thresholds' }), el('section', { id: 'settings-routing' }), el('section', { id: 'settings-slas' }),
    el('section', { id: 'settings-keys' }), el('section', { id: 'settings-retention' }));
  await Promise.all([thresholds(), routing(), slas(), showApiKeys(role), retention()]);
}

function editable() {
  return EDITORS.includes(role);
}

/** A status line under a form: success as a status, failure (the hub's message) as an alert. */
function outcome(id) {
  return el('p', { id, class: 'outcome', role: 'status', 'aria-live': 'polite' });
}

function report(box, error) {
  box.className = 'outcome ' + (error ? 'error' : 'saved');
  box.textContent = error ? t('settings.failed', { message: error.message }) : t('settings.saved');
}

/** Sends a change, disabling the button meanwhile; true when the hub took it. */
async function save(button, box, request) {
  button.disabled = true;
  box.textContent = '';
  try {
    await request();
    report(box, null);
    return true;
  } catch (e) {
    report(box, e);
    return false;
  } finally {
    button.disabled = false;
  }
}

/** A new rule or duty row becomes a row of the table once saved: the table is read again. */
async function saveThenReload(button, box, added, request) {
  if (await save(button, box, request) && added) {
    const id = box.id;
    await routing();
    report($(id), null);
  }
}

function section(id, title, ...content) {
  $(id).replaceChildren(el('h2', null, title), ...content);
}

function failed(id, title, e) {
  const forbidden = e instanceof ApiError && e.status === 403;
  section(id, title, el('p', { class: forbidden ? 'empty' : 'error' }, forbidden ? t('settings.not_for_role') : e.message));
}

async function thresholds() {
  const title = t('settings.thresholds');
  if (!editable()) {
    failed('settings-thresholds', title, new ApiError(403, ''));
    return;
  }
  let site, data;
  try {
    site = await api('/api/site');
    if (!site.communities.length) {
      section('settings-thresholds', title, el('p', { class: 'empty' }, t('site.empty')));
      return;
    }
    community = site.communities.some(c => c.id === community) ? community : site.communities[0].id;
    data = await api(`/api/communities/${encodeURIComponent(community)}/thresholds`);
  } catch (e) {
    failed('settings-thresholds', title, e);
    return;
  }
  const picker = site.communities.length > 1
    ? el('label', null, t('site.community') + ' ', el('select', { onchange: e => { community = e.target.value; thresholds(); } },
        ...site.communities.map(c => el('option', { value: c.id, selected: c.id === community }, c.name))))
    : el('p', null, el('strong', null, site.communities[0].name));
  const box = outcome('thresholds-outcome');
  const form = el('form', { id: 'thresholds-form', novalidate: true, onsubmit: async ev => {
    ev.preventDefault();
    const changes = [];
    for (const input of ev.target.querySelectorAll('input[data-key]')) {
      if (input.value !== input.dataset.was) {
        changes.push({ scope: input.dataset.scope, key: input.dataset.key, value: input.value === '' ? null : Number(input.value) });
      }
    }
    if (!changes.length) {
      box.className = 'outcome';
      box.textContent = t('settings.unchanged');
      return;
    }
    if (await save(ev.submitter || ev.target.querySelector('button'), box,
      () => api(`/api/communities/${encodeURIComponent(community)}/thresholds`, { method: 'PUT', body: { thresholds: changes } }))) {
      for (const input of ev.target.querySelectorAll('input[data-key]')) input.dataset.was = input.value;
    }
  } },
  ...groups(data.thresholds).map(([scope, list]) => el('fieldset', null,
    el('legend', null, scopeLabel(scope)),
    el('table', { class: 'data settings' },
      el('thead', null, el('tr', null, ...['settings.threshold', 'settings.value', 'settings.range', 'settings.default']
        .map(k => el('th', { scope: 'col' }, t(k))))),
      el('tbody', null, ...list.map(thresholdRow))))),
  el('div', { class: 'form-actions' }, el('button', { type: 'submit', id: 'thresholds-save' }, t('settings.save')), box));
  section('settings-thresholds', title, el('p', { class: 'sub' }, t('settings.thresholds_hint')), picker, form);
}

function groups(list) {
  const by = new Map();
  for (const th of list) {
    if (!by.has(th.scope)) by.set(th.scope, []);
    by.get(th.scope).push(th);
  }
  return [...by];
}

function scopeLabel(scope) {
  return scope === 'community' || scope === 'gateway' ? t('settings.scope.' + scope) : label('device_type', scope);
}

function thresholdRow(th) {
  const id = `th-${th.scope}-${th.key}`;
  const unit = th.unit ? ' ' + th.unit : '';
  return el('tr', { 'data-threshold': th.scope + '.' + th.key },
    el('td', null, el('label', { for: id }, el('code', null, th.key)), el('span', { class: 'sub' }, th.description)),
    el('td', null, el('input', { id, type: 'number', step: 'any', min: th.min, max: th.max, value: th.value,
      'data-was': String(th.value), 'data-scope': th.scope, 'data-key': th.key, class: 'num' }), unit,
      th.overridden ? el('span', { class: 'sub' }, t('settings.changed_by', { user: th.updated_by || '?' })) : ''),
    el('td', null, `${number(th.min, 2)} – ${number(th.max, 2)}${unit}`),
    el('td', null, number(th.default, 2) + unit));
}

/** GET for one section; null (and the reason shown in the section) when the hub refuses. */
async function read(id, title, path) {
  try {
    return await api(path);
  } catch (e) {
    failed(id, title, e);
    return null;
  }
}

async function routing() {
  const title = t('settings.routing');
  const table = await read('settings-routing', title, '/api/routing');
  if (!table) return;
  const departments = table.departments.map(d => d.id);
  const departmentName = id => (table.departments.find(d => d.id === id) || { name: id }).name;
  const pick = (name, selected) => el('select', { name, disabled: !editable() },
    ...departments.map(d => el('option', { value: d, selected: d === selected }, departmentName(d))));
  const rules = [...table.rules, ...(editable() ? [{ incident_type: '', department: departments[0] }] : [])];
  const duty = [...table.duty, ...(editable() ? [{ grid: '', department: departments[0], username: '' }] : [])];
  const rulesOutcome = outcome('rules-outcome');
  const dutyOutcome = outcome('duty-outcome');

  const ruleRow = r => el('tr', { 'data-rule': r.incident_type },
    el('td', null, r.incident_type
      ? (r.incident_type === '*' ? t('settings.rule_default') : label('type', r.incident_type) + ' (' + r.incident_type + ')')
      : el('input', { name: 'type', 'aria-label': t('settings.incident_type'), placeholder: 'LAMP_FAULT', maxlength: 64 })),
    el('td', null, pick('department', r.department)),
    editable() ? el('td', null, el('button', { type: 'button', class: 'secondary', onclick: ev => {
      const row = ev.target.closest('tr');
      const type = r.incident_type || row.querySelector('[name=type]').value.trim().toUpperCase();
      saveThenReload(ev.target, rulesOutcome, !r.incident_type, () => api('/api/routing/rules/' + encodeURIComponent(type),
        { method: 'PUT', body: { department: row.querySelector('[name=department]').value } }));
    } }, t('settings.save'))) : '');

  const dutyRow = d => el('tr', { 'data-duty': d.grid ? d.grid + '/' + d.department : '' },
    el('td', null, d.grid ? (d.grid === '*' ? t('settings.any_grid') : d.grid)
      : el('input', { name: 'grid', 'aria-label': t('settings.grid'), placeholder: 'G1', maxlength: 64, class: 'short' })),
    el('td', null, d.grid ? departmentName(d.department) : pick('department', d.department)),
    el('td', null, el('input', { name: 'username', value: d.username, 'aria-label': t('settings.responder'),
      readonly: !editable(), maxlength: 64 })),
    editable() ? el('td', null, el('button', { type: 'button', class: 'secondary', onclick: ev => {
      const row = ev.target.closest('tr');
      const grid = d.grid || row.querySelector('[name=grid]').value.trim();
      const department = d.grid ? d.department : row.querySelector('[name=department]').value;
      saveThenReload(ev.target, dutyOutcome, !d.grid, () => api(`/api/routing/duty/${encodeURIComponent(grid)}/${encodeURIComponent(department)}`,
        { method: 'PUT', body: { username: row.querySelector('[name=username]').value.trim() } }));
    } }, t('settings.save'))) : '');

  const head = (...keys) => el('thead', null, el('tr', null, ...keys.map(k => el('th', { scope: 'col' }, k ? t(k) : ''))));
  section('settings-routing', title,
    el('h3', null, t('settings.rules')),
    el('table', { class: 'data settings', id: 'rules-table' },
      head('settings.incident_type', 'settings.department', ...(editable() ? [''] : [])),
      el('tbody', null, ...rules.map(ruleRow))),
    rulesOutcome,
    el('h3', null, t('settings.duty')),
    el('table', { class: 'data settings', id: 'duty-table' },
      head('settings.grid', 'settings.department', 'settings.responder', ...(editable() ? [''] : [])),
      el('tbody', null, ...duty.map(dutyRow))),
    dutyOutcome);
}

async function slas() {
  const title = t('settings.slas');
  const data = await read('settings-slas', title, '/api/slas');
  if (!data) return;
  const box = outcome('slas-outcome');
  const bySeverity = new Map(data.policies.map(p => [p.severity, p]));
  const row = severity => {
    const p = bySeverity.get(severity);
    if (!p) return null;
    return el('tr', { 'data-severity': severity },
      el('th', { scope: 'row' }, el('span', { class: 'badge sev-' + severity }, label('severity', severity))),
      ...STEPS.map(step => el('td', null, el('input', { type: 'number', min: 1, max: 43200, step: 'any', class: 'num',
        name: step, value: p[step] / 60, readonly: !editable(),
        'aria-label': t('settings.sla_field', { step: t('settings.' + step), severity: label('severity', severity) }) }), ' min')),
      editable() ? el('td', null, el('button', { type: 'button', class: 'secondary', onclick: ev => {
        const tr = ev.target.closest('tr');
        const body = {};
        for (const step of STEPS) body[step] = Math.round(Number(tr.querySelector(`[name=${step}]`).value) * 60);
        save(ev.target, box, () => api('/api/slas/' + severity, { method: 'PUT', body }));
      } }, t('settings.save'))) : '');
  };
  section('settings-slas', title, el('p', { class: 'sub' }, t('settings.slas_hint')),
    el('table', { class: 'data settings', id: 'slas-table' },
      el('thead', null, el('tr', null, el('th', { scope: 'col' }, t('col.severity')),
        ...STEPS.map(step => el('th', { scope: 'col' }, t('settings.' + step))), editable() ? el('th', { scope: 'col' }) : '')),
      el('tbody', null, ...SEVERITIES.map(row))),
    box);
}

/** What went, by kind ("2 chunks, 1 batch key"); only kinds with something removed. */
function removedText(removed) {
  const parts = Object.entries(removed || {}).filter(([, n]) => n > 0)
    .map(([what, n]) => number(n, 0) + ' ' + t('retention.what.' + what));
  return parts.length ? parts.join(', ') : t('settings.retention_nothing');
}

/** As the setting says it: "5 years" for 5y, "400 days" for 400d. */
function keepText(c) {
  if (c.keep_days === null) return t('settings.retention_forever');
  return /^\d+y$/.test(c.keep) ? t('settings.retention_years', { n: number(c.keep_days / 365, 0) })
    : t('settings.retention_days', { n: number(c.keep_days, 0) });
}

async function retention() {
  const title = t('settings.retention');
  const data = await read('settings-retention', title, '/api/retention');
  if (!data) return;
  const last = data.last_run;
  const row = c => el('tr', { 'data-retention': c.class },
    el('th', { scope: 'row' }, t('retention.class.' + c.class)),
    el('td', null, keepText(c)),
    el('td', null, el('code', null, c.setting)),
    el('td', null, last ? removedText(last.removed[c.class]) : ''));
  section('settings-retention', title,
    el('p', { class: 'sub' }, t('settings.retention_hint', { interval: data.interval })),
    el('table', { class: 'data settings', id: 'retention-table' },
      el('thead', null, el('tr', null, ...['settings.retention_class', 'settings.retention_keep', 'settings.retention_setting',
        'settings.retention_removed'].map(k => el('th', { scope: 'col' }, t(k))))),
      el('tbody', null, ...data.classes.map(row))),
    el('p', { id: 'retention-last-run', class: last && last.outcome !== 'done' ? 'error' : '' },
      last ? t('settings.retention_last_run', { at: dateTime(last.at), outcome: t('retention.outcome.' + last.outcome) })
        + (last.errors && last.errors.length ? ' ' + last.errors.join('; ') : '')
        : t('settings.retention_never_run')));
}
