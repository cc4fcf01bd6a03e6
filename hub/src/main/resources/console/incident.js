// One incident: its facts, dispatch, SLA deadlines (counting down), the actions the hub allows this
// user now, and the whole timeline. Refreshed live when the feed says this incident changed; a
// form the user is filling in stays as it is unless the incident's status moved on.
import { api, ApiError } from './api.js';
import { $, el } from './dom.js';
import { label, t } from './i18n.js';
import { age, dateTime } from './format.js';
import { place, title } from './board.js';
import { actionPanel, formOpen } from './actions.js';
import { countdown } from './sla.js';

let current = null;

export async function showIncident(id) {
  current = id;
  const body = $('incident-body');
  if (!body.querySelector('[data-incident="' + id + '"]')) body.replaceChildren(el('p', null, t('common.loading')));
  let data;
  try {
    data = await api('/api/incidents/' + encodeURIComponent(id));
  } catch (e) {
    if (current !== id) return;
    body.replaceChildren(el('p', { class: 'error' }, e instanceof ApiError && e.status === 404 ? t('incident.not_found') : e.message));
    return;
  }
  if (current !== id) return;
  render(data);
}

/** The live feed changed incident {@code id} (all shown ones when no id): show it as it is now. */
export function refreshIncident(id) {
  if (current !== null && !$('view-incident').hidden && (id === undefined || id === current)) showIncident(current);
}

function render(i) {
  const kept = $('incident-actions');
  const actions = formOpen(kept) && kept.dataset.status === i.status && kept.dataset.incident === String(i.id)
    ? kept : actionPanel(i, render);
  actions.dataset.incident = i.id;
  const timeline = i.timeline || [];
  $('incident-body').replaceChildren(el('div', { 'data-incident': i.id },
    el('div', { class: 'detail-head' },
      el('span', { class: 'badge sev-' + i.severity }, label('severity', i.severity)),
      el('h1', { id: 'incident-title' }, title(i) + ' #' + i.id),
      el('span', { class: 'state', id: 'incident-status', 'data-status': i.status }, label('status', i.status))),
    el('p', null, i.summary),
    actions,
    el('div', { class: 'grid2' },
      el('section', null,
        el('h2', null, t('incident.facts')),
        el('dl', { class: 'facts' },
          fact(t('col.where'), place(i) || '-'),
          fact(t('incident.device'), i.device_id ? el('a', { href: '#/devices/' + encodeURIComponent(i.device_id) }, i.device_id) : '-'),
          fact(t('incident.grid'), i.grid || '-'),
          fact(t('incident.department'), i.department || '-'),
          fact(t('incident.responder'), i.responder || '-'),
          fact(t('incident.occurred'), dateTime(i.occurred_at)),
          fact(t('col.opened'), el('span', null, dateTime(i.opened_at), ' (', el('time', { 'data-age': i.opened_at }, age(i.opened_at)), ')')))),
      el('section', null,
        el('h2', { id: 'deadlines-title' }, t('incident.deadlines')),
        deadlines(i.deadlines || []))),
    report(i.report),
    el('section', null,
      el('h2', null, t('incident.evidence')),
      el('dl', { class: 'facts', id: 'incident-evidence' }, ...evidence(i.details))),
    el('h2', { id: 'timeline-title' }, t('incident.timeline')),
    el('ol', { class: 'timeline', id: 'incident-timeline', 'aria-labelledby': 'timeline-title' },
      ...timeline.map(entry => el('li', { 'data-action': entry.action },
        el('time', { datetime: entry.at }, dateTime(entry.at)), ' ',
        el('span', null, label('action', entry.action)), ' ',
        el('span', { class: 'by' }, t('incident.by', { actor: entry.actor })),
        note(entry.details))))));
}

// Step, due, and what became of it: met when, or a live countdown (red once overdue), escalations.
function deadlines(list) {
  if (list.length === 0) return el('p', { class: 'empty' }, t('incident.no_deadlines'));
  return el('table', { class: 'data deadlines', id: 'incident-deadlines', 'aria-labelledby': 'deadlines-title' },
    el('thead', null, el('tr', null,
      el('th', { scope: 'col' }, t('incident.step')), el('th', { scope: 'col' }, t('incident.due')),
      el('th', { scope: 'col' }, t('col.status')))),
    el('tbody', null, ...list.map(d => el('tr', { 'data-step': d.step },
      el('td', null, label('sla.step', d.step)),
      el('td', null, el('time', { datetime: d.due_at }, dateTime(d.due_at))),
      el('td', null,
        d.met_at ? el('span', { class: 'met' }, t('incident.met', { at: dateTime(d.met_at) })) : countdown(d.step, d.due_at),
        d.level > 0 ? el('span', { class: 'sub' }, t('incident.escalated', { n: d.level })) : null)))));
}

function report(r) {
  if (!r) return null;
  return el('section', null,
    el('h2', null, t('incident.report')),
    el('dl', { class: 'facts', id: 'incident-report' },
      fact(t('incident.report_channel'), label('channel', r.channel)),
      fact(t('incident.report_text'), r.text),
      r.reporter ? fact(t('incident.reporter'), [r.reporter.name, r.reporter.phone].filter(Boolean).join(' · ')) : null,
      r.entered_by ? fact(t('incident.entered_by'), r.entered_by) : null));
}

// What a person wrote with the action: what was done, the rating, the reason.
function note(details) {
  const d = details || {};
  const parts = [d.action_taken, d.rating ? t('incident.rating', { n: d.rating }) : null, d.comment, d.reason, d.note]
    .filter(Boolean);
  return parts.length ? el('span', { class: 'sub' }, parts.join(' · ')) : null;
}

function fact(name, value) {
  return [el('dt', null, name), el('dd', null, value)];
}

// The evidence: the reading that raised the incident, field by field.
function evidence(details) {
  const out = [];
  const walk = (obj, prefix) => {
    for (const [k, v] of Object.entries(obj || {})) {
      if (v !== null && typeof v === 'object' && !Array.isArray(v)) walk(v, prefix + k + '.');
      else out.push(fact(label('field', k) + (prefix ? ' (' + label('field', prefix.slice(0, -1)) + ')' : ''),
        k === 'event' ? label('event', v) : typeof v === 'string' ? v : JSON.stringify(v)));
    }
  };
  walk(details, '');
  return out.length ? out : [fact('-', '-')];
}
