// The live board: open incidents, most severe first, updated from the live feed without reloading,
// each with a countdown to its next SLA deadline. A critical incident nobody has acknowledged yet
// turns the alarm band red and rings until it is acknowledged, or this user marks it seen: one
// click, on the band or on its row. The click acknowledges it on the hub when the user may and
// the incident is dispatched; otherwise (not dispatched yet, or an auditor) it only marks it seen
// here. acknowledge() is the one place that decides.
import { api } from './api.js';
import { $, el } from './dom.js';
import { label, t } from './i18n.js';
import { age, dateTime, setServerTime } from './format.js';
import { startAlarm, stopAlarm } from './alarm.js';
import { countdown } from './sla.js';

const RANK = { critical: 0, major: 1, minor: 2, info: 3 };
const SEEN_KEPT = 500;

// Still waiting for someone to take it: the alarm rings for these.
const UNTAKEN = ['open', 'dispatched'];

const state = { open: new Map(), recent: [], truncated: false, user: null, seen: new Set(), loaded: false,
  roleActions: [], errors: new Map() };

function seenKey() {
  return 'cg.seen.' + state.user;
}

export function startBoard(username) {
  state.user = username;
  try {
    state.seen = new Set(JSON.parse(localStorage.getItem(seenKey()) || '[]'));
  } catch (e) {
    state.seen = new Set();
  }
}

export function stopBoard() {
  state.open.clear();
  state.recent = [];
  state.loaded = false;
  stopAlarm();
  $('alarm').hidden = true;
}

/** Loads the snapshot; returns the event id to follow the live feed from. */
export async function loadBoard() {
  const data = await api('/api/board');
  setServerTime(data.server_time);
  state.open = new Map(data.open.map(i => [i.id, i]));
  state.recent = data.recently_closed;
  state.truncated = data.open_truncated;
  state.roleActions = data.role_actions || [];
  state.loaded = true;
  render();
  return data.last_event_id;
}

export function incidentOpened(row) {
  state.open.set(row.id, row);
  render();
}

/** An incident changed (the incident loop's events): it moves, or leaves the board when closed. */
export function incidentUpdated(row) {
  if (row.status === 'closed' || row.status === 'cancelled') {
    state.open.delete(row.id);
    state.recent = [row, ...state.recent.filter(r => r.id !== row.id)].slice(0, 20);
  } else {
    state.open.set(row.id, row);
  }
  render();
}

/** An incident this user may no longer see (re-dispatched to another grid): off the board. */
export function incidentGone(id) {
  if (state.open.delete(id)) render();
}

export function isSeen(id) {
  return state.seen.has(id);
}

/** The one click acknowledges on the hub (the transition table: only a dispatched incident). */
function acknowledgesOnHub(i) {
  return i && i.status === 'dispatched' && state.roleActions.includes('acknowledge');
}

function needsAction(i) {
  return i.severity === 'critical' && UNTAKEN.includes(i.status) && !state.seen.has(i.id);
}

export function incident(id) {
  return state.open.get(id);
}

/**
 * The one-click action on an incident: acknowledge it on the hub when this user may and it is
 * dispatched (everyone's alarm for it stops with the live update); in any case "seen" by this
 * user, remembered in this browser, which stops the sound here. A refusal (409: someone else
 * was quicker) is shown where the button was.
 */
export async function acknowledge(id) {
  const i = state.open.get(id);
  state.errors.delete(id);
  if (acknowledgesOnHub(i)) {
    try {
      await api('/api/incidents/' + id + '/acknowledge', { method: 'POST', body: {} });
    } catch (e) {
      state.errors.set(id, e.message);
    }
  }
  state.seen.add(id);
  const kept = [...state.seen].slice(-SEEN_KEPT);
  localStorage.setItem(seenKey(), JSON.stringify(kept));
  render();
  document.dispatchEvent(new CustomEvent('cg:seen', { detail: id }));
}

function sorted() {
  return [...state.open.values()].sort((a, b) =>
    (RANK[a.severity] ?? 9) - (RANK[b.severity] ?? 9) || Date.parse(b.opened_at) - Date.parse(a.opened_at) || b.id - a.id);
}

export function title(i) {
  return label('type', i.type);
}

export function place(i) {
  return [i.building_name || i.building_id, i.location].filter(Boolean).join(' · ');
}

function seenButton(i, extraClass) {
  const onHub = acknowledgesOnHub(i);
  return el('button', {
    type: 'button', class: extraClass, 'data-action': onHub ? 'acknowledge' : 'seen', 'data-incident': i.id,
    'aria-label': t(onHub ? 'board.acknowledge_label' : 'board.mark_seen_label',
      { title: title(i), place: place(i) || i.device_id || '' }),
    onclick: () => acknowledge(i.id)
  }, t(onHub ? 'board.acknowledge' : 'board.mark_seen'));
}

function refusal(i) {
  return state.errors.has(i.id) ? el('span', { class: 'refused', role: 'alert' }, state.errors.get(i.id)) : null;
}

function status(i) {
  return [label('status', i.status), i.responder ? el('span', { class: 'sub' }, i.responder) : null,
    i.next_step && i.due_at ? countdown(i.next_step, i.due_at) : null];
}

function row(i) {
  const unseen = !state.seen.has(i.id) && UNTAKEN.includes(i.status);
  return el('tr', { class: [i.severity, unseen && i.severity === 'critical' ? 'unseen' : ''].join(' ').trim(), 'data-incident': i.id },
    el('td', null, el('span', { class: 'badge sev-' + i.severity }, label('severity', i.severity))),
    el('td', null,
      el('a', { href: '#/incidents/' + i.id, class: 'incident-title' }, title(i)),
      el('span', { class: 'sub' }, i.summary)),
    el('td', null, place(i) || '-', i.device_id ? el('span', { class: 'sub' }, i.device_id) : null),
    el('td', null, el('time', { datetime: i.opened_at, title: dateTime(i.opened_at), 'data-age': i.opened_at }, age(i.opened_at))),
    el('td', null, status(i)),
    el('td', null, unseen || acknowledgesOnHub(i) ? seenButton(i) : el('span', { class: 'seen-mark' }, '\u2713 ' + t('board.seen')),
      refusal(i)));
}

function render() {
  if (!state.loaded) return;
  const list = sorted();
  $('board-open').replaceChildren(...list.map(row));
  $('board-empty').hidden = list.length > 0;
  $('board-truncated').hidden = !state.truncated;
  const counts = {};
  for (const i of list) counts[i.severity] = (counts[i.severity] || 0) + 1;
  $('board-counts').replaceChildren(
    el('li', { class: 'sev-total' }, t('board.count_total', { n: list.length })),
    ...Object.keys(RANK).filter(s => counts[s]).map(s =>
      el('li', { class: 'sev-' + s }, label('severity', s) + ' ' + counts[s])));
  $('board-recent').replaceChildren(...state.recent.map(i => el('li', null,
    el('a', { href: '#/incidents/' + i.id }, title(i)), ' · ', place(i) || i.device_id || '', ' · ',
    label('status', i.status), ' · ', el('time', { datetime: i.opened_at }, dateTime(i.opened_at)))));
  $('board-recent-empty').hidden = state.recent.length > 0;
  renderAlarm(list.filter(needsAction));
}

function renderAlarm(unseen) {
  const band = $('alarm');
  if (unseen.length === 0) {
    band.hidden = true;
    band.replaceChildren();
    stopAlarm();
    document.title = t('app.name');
    return;
  }
  const wasHidden = band.hidden;
  band.replaceChildren(el('ul', null, ...unseen.map(i => el('li', { 'data-incident': i.id },
    el('strong', null, t('alarm.new', { title: title(i) })),
    el('span', null, place(i) || i.device_id || ''),
    el('time', { datetime: i.opened_at, 'data-age': i.opened_at }, age(i.opened_at)),
    el('a', { href: '#/incidents/' + i.id }, t('alarm.details')),
    seenButton(i, 'alarm-seen'), refusal(i)))));
  band.hidden = false;
  document.title = '(' + unseen.length + ') ' + t('alarm.title_prefix') + ' · ' + t('app.name');
  startAlarm();
  // One key press away: focus the band's button unless the user is typing somewhere.
  const active = document.activeElement;
  if (wasHidden && (!active || active === document.body || active.id === 'main')) {
    band.querySelector('button').focus();
  }
}

export function rerender() {
  render();
}

// Ages tick every second, wherever they are shown.
setInterval(() => {
  for (const e of document.querySelectorAll('time[data-age]')) e.textContent = age(e.dataset.age);
}, 1000);
