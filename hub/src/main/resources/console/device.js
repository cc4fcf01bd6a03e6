// One device: its state, battery, signal and last reading, and a chart of any of its fields
// over 6 hours to 30 days (the hub picks the bucket from the span).
import { api, ApiError } from './api.js';
import { $, el } from './dom.js';
import { label, t } from './i18n.js';
import { age, dateTime, number } from './format.js';
import { drawChart } from './chart.js';

const RANGES = [['6h', 6 * 3600e3], ['24h', 24 * 3600e3], ['7d', 7 * 86400e3], ['30d', 30 * 86400e3]];
const PREFERRED = ['smoke_obscuration_pct_m', 'temp_c', 'water_below_cover_cm', 'leakage_ma', 'power_w', 'battery_pct'];

let current = null;
let view = { field: null, range: '24h' };

export async function showDevice(id) {
  if (current !== id) view = { field: null, range: '24h' };
  current = id;
  const body = $('device-body');
  body.replaceChildren(el('p', null, t('common.loading')));
  let d;
  try {
    d = await api('/api/devices/' + encodeURIComponent(id));
  } catch (e) {
    if (current !== id) return;
    body.replaceChildren(el('p', { class: 'error' }, e instanceof ApiError && e.status === 404 ? t('device.not_found') : e.message));
    return;
  }
  if (current !== id) return;
  if (!view.field || !d.fields.includes(view.field)) {
    view.field = PREFERRED.find(f => d.fields.includes(f)) || d.fields[0] || null;
  }
  render(d);
}

function render(d) {
  const facts = [
    [t('site.state'), el('span', { class: 'state state-' + d.state }, label('state', d.state))],
    [t('device.type'), label('device_type', d.type)],
    [t('col.where'), [d.building_name || d.building_id, d.location].filter(Boolean).join(' · ') || '-'],
    [t('site.last_seen'), d.last_seen ? el('span', null, dateTime(d.last_seen), ' (', el('time', { 'data-age': d.last_seen }, age(d.last_seen)), ')') : t('site.never')],
    [t('device.battery'), d.battery_pct == null ? '-' : number(d.battery_pct, 0) + ' %'],
    [t('device.signal'), d.rssi_dbm == null ? '-' : number(d.rssi_dbm, 0) + ' dBm'],
    [t('device.open_incidents'), String(d.open_incidents)],
    [t('device.gateway'), d.gateway_id || '-']
  ];
  const latest = d.last_telemetry ? Object.entries(d.last_telemetry.data) : [];
  $('device-body').replaceChildren(
    el('h1', { id: 'device-title' }, d.id),
    el('div', { class: 'grid2' },
      el('dl', { class: 'facts' }, ...facts.map(([k, v]) => [el('dt', null, k), el('dd', null, v)])),
      el('section', null,
        el('h2', null, t('device.latest')),
        latest.length
          ? el('dl', { class: 'facts', id: 'device-latest' }, ...latest.map(([k, v]) => [el('dt', null, label('field', k)), el('dd', null, String(v))]))
          : el('p', { class: 'empty' }, t('device.no_telemetry')))),
    el('h2', { id: 'chart-title' }, t('device.chart')),
    chartTools(d),
    el('div', { id: 'device-chart' }),
    el('h2', null, t('device.events')),
    d.recent_events.length
      ? el('ul', { class: 'recent' }, ...d.recent_events.map(e => el('li', null,
          el('time', { datetime: e.time }, dateTime(e.time)), ' · ', label('kind', e.kind), ' · ',
          e.data.event ? label('event', e.data.event) : JSON.stringify(e.data))))
      : el('p', { class: 'empty' }, t('device.no_events')));
  drawSeries(d);
}

function chartTools(d) {
  if (!d.fields.length) return el('p', { class: 'empty' }, t('device.no_telemetry'));
  return el('div', { class: 'chart-tools' },
    el('label', null, t('device.field') + ' ',
      el('select', { id: 'chart-field', onchange: e => { view.field = e.target.value; drawSeries(d); } },
        ...d.fields.map(f => el('option', { value: f, selected: f === view.field }, label('field', f))))),
    el('div', { role: 'group', 'aria-label': t('device.range') },
      ...RANGES.map(([name]) => el('button', {
        type: 'button', 'data-range': name, 'aria-pressed': String(name === view.range),
        onclick: e => {
          view.range = name;
          for (const b of e.target.parentElement.children) b.setAttribute('aria-pressed', String(b.dataset.range === name));
          drawSeries(d);
        }
      }, t('range.' + name)))));
}

async function drawSeries(d) {
  const box = $('device-chart');
  if (!box || !view.field) return;
  const span = RANGES.find(r => r[0] === view.range)[1];
  const to = new Date();
  const from = new Date(to.getTime() - span);
  const asked = d.id + view.field + view.range;
  box.replaceChildren(el('p', null, t('common.loading')));
  let s;
  try {
    s = await api(`/api/devices/${encodeURIComponent(d.id)}/series?field=${encodeURIComponent(view.field)}`
      + `&from=${from.toISOString()}&to=${to.toISOString()}`);
  } catch (e) {
    box.replaceChildren(el('p', { class: 'error' }, e.message));
    return;
  }
  if (asked !== d.id + view.field + view.range) return;
  if (s.points.length === 0) {
    box.replaceChildren(el('p', { class: 'empty' }, t('device.no_data')));
    return;
  }
  const title = t('device.chart_title', { field: label('field', view.field), range: t('range.' + view.range) });
  box.replaceChildren(
    drawChart({ points: s.points, from: s.from, to: s.to, bucketSeconds: s.bucket_seconds, title, unitLabel: label('field', view.field) }),
    el('p', { class: 'sub' }, t('device.bucket', { n: s.points.length, minutes: number(s.bucket_seconds / 60, 1) })),
    el('details', null, el('summary', null, t('device.as_table')),
      el('table', { class: 'data' },
        el('thead', null, el('tr', null, ...['device.t', 'device.avg', 'device.min', 'device.max', 'device.n'].map(k => el('th', { scope: 'col' }, t(k))))),
        el('tbody', null, ...s.points.map(p => el('tr', null,
          el('td', null, dateTime(p.t)), el('td', null, number(p.avg, 2)), el('td', null, number(p.min, 2)),
          el('td', null, number(p.max, 2)), el('td', null, String(p.n))))))));
}
