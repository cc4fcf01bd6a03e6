// One incident with its whole timeline (read-only; the loop's actions come with the incident loop).
import { api, ApiError } from './api.js';
import { $, el } from './dom.js';
import { label, t } from './i18n.js';
import { age, dateTime } from './format.js';
import { acknowledge, isSeen, place, title } from './board.js';

let current = null;

export async function showIncident(id) {
  current = id;
  const body = $('incident-body');
  body.replaceChildren(el('p', null, t('common.loading')));
  let data;
  try {
    data = await api('/api/incidents/' + encodeURIComponent(id));
  } catch (e) {
    if (current !== id) return;
    body.replaceChildren(el('p', { class: 'error' }, e instanceof ApiError && e.status === 404 ? t('incident.not_found') : e.message));
    return;
  }
  if (current !== id) return;
  render(data.incident || data);
}

export function refreshIncident() {
  if (current !== null && !$('view-incident').hidden) showIncident(current);
}

function render(i) {
  const timeline = i.timeline || [];
  const seenControl = isSeen(i.id)
    ? el('span', { class: 'seen-mark' }, '\u2713 ' + t('board.seen'))
    : el('button', { type: 'button', 'data-action': 'seen', 'data-incident': i.id,
        onclick: async () => { await acknowledge(i.id); render(i); } }, t('board.mark_seen'));
  $('incident-body').replaceChildren(
    el('div', { class: 'detail-head' },
      el('span', { class: 'badge sev-' + i.severity }, label('severity', i.severity)),
      el('h1', { id: 'incident-title' }, title(i) + ' #' + i.id),
      el('span', { class: 'state' }, label('status', i.status)),
      i.is_open === false ? null : seenControl),
    el('p', null, i.summary),
    el('div', { class: 'grid2' },
      el('section', null,
        el('h2', null, t('incident.facts')),
        el('dl', { class: 'facts' },
          fact(t('col.where'), place(i) || '-'),
          fact(t('incident.device'), i.device_id ? el('a', { href: '#/devices/' + encodeURIComponent(i.device_id) }, i.device_id) : '-'),
          fact(t('incident.grid'), i.grid || '-'),
          fact(t('incident.occurred'), dateTime(i.occurred_at)),
          fact(t('col.opened'), el('span', null, dateTime(i.opened_at), ' (', el('time', { 'data-age': i.opened_at }, age(i.opened_at)), ')')))),
      el('section', null,
        el('h2', null, t('incident.evidence')),
        el('dl', { class: 'facts', id: 'incident-evidence' }, ...evidence(i.details)))),
    el('h2', { id: 'timeline-title' }, t('incident.timeline')),
    el('ol', { class: 'timeline', id: 'incident-timeline', 'aria-labelledby': 'timeline-title' },
      ...timeline.map(entry => el('li', { 'data-action': entry.action },
        el('time', { datetime: entry.at }, dateTime(entry.at)), ' ',
        el('span', null, label('action', entry.action)), ' ',
        el('span', { class: 'by' }, t('incident.by', { actor: entry.actor }))))));
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
