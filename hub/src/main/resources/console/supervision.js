// The supervisors' dashboard (#/supervision): how incidents opened in a period were handled, per
// grid and per department, as bar charts of one figure at a time and tables of all of them. The
// CSV download is the hub's own (GET /api/supervision?format=csv): the same numbers, no second
// implementation in the browser.
import { api } from './api.js';
import { $, el } from './dom.js';
import { t } from './i18n.js';
import { drawBars } from './chart.js';
import { number } from './format.js';

const DAY = 86400e3;
const PERIODS = [7, 30, 90];
/** The figures of a report row: key, how it is shown, and an upper bound for its bars when it has one. */
const KPIS = [
  ['sla_compliance_pct', 'pct', 100],
  ['mean_acknowledge_s', 'duration'],
  ['p90_acknowledge_s', 'duration'],
  ['mean_resolve_s', 'duration'],
  ['p90_resolve_s', 'duration'],
  ['reopen_rate_pct', 'pct', 100],
  ['mean_rating', 'rating', 5],
  ['incidents', 'count']
];

let view = { days: 30, from: null, to: null, kpi: 'sla_compliance_pct' };
let reports = null;

/** Dates as the hub takes them (midnight UTC); "to" is exclusive, so the last day shown is to - 1. */
function isoDate(ms) {
  return new Date(ms).toISOString().slice(0, 10);
}

function period() {
  if (view.from && view.to) return { from: view.from, to: isoDate(Date.parse(view.to) + DAY) };
  const tomorrow = Date.parse(isoDate(Date.now())) + DAY;
  return { from: isoDate(tomorrow - view.days * DAY), to: isoDate(tomorrow) };
}

export function showValue(kind, v) {
  if (v == null) return '–';
  if (kind === 'pct') return number(v, 1) + ' %';
  if (kind === 'rating') return number(v, 2) + ' / 5';
  if (kind === 'count') return number(v, 0);
  if (v < 60) return t('duration.seconds', { n: number(v, 0) });
  if (v < 3600) return t('duration.minutes', { n: number(v / 60, 1) });
  return t('duration.hours', { n: number(v / 3600, 1) });
}

export async function showSupervision() {
  const body = $('supervision-body');
  body.replaceChildren(tools(), el('div', { id: 'supervision-report' }, el('p', null, t('common.loading'))));
  const p = period();
  try {
    const query = `from=${p.from}&to=${p.to}`;
    const [grid, department] = await Promise.all([
      api(`/api/supervision?${query}&by=grid`), api(`/api/supervision?${query}&by=department`)]);
    reports = { grid, department, query };
  } catch (e) {
    $('supervision-report').replaceChildren(el('p', { class: 'error', role: 'alert' }, e.message));
    return;
  }
  renderReports();
}

export function rerenderSupervision() {
  if (!$('view-supervision').hidden) showSupervision();
}

function tools() {
  const pressed = days => String(!view.from && view.days === days);
  const custom = ev => {
    ev.preventDefault();
    const form = new FormData(ev.target);
    if (!form.get('from') || !form.get('to') || form.get('from') > form.get('to')) {
      $('supervision-custom-error').textContent = t('supervision.custom_invalid');
      return;
    }
    view.from = form.get('from');
    view.to = form.get('to');
    showSupervision();
  };
  return el('div', { class: 'chart-tools' },
    el('div', { role: 'group', 'aria-label': t('supervision.period') },
      ...PERIODS.map(days => el('button', {
        type: 'button', 'data-days': days, 'aria-pressed': pressed(days),
        onclick: () => { view.days = days; view.from = view.to = null; showSupervision(); }
      }, t('supervision.last_days', { n: days })))),
    el('form', { id: 'supervision-custom', class: 'inline-form', onsubmit: custom },
      el('label', null, t('supervision.from') + ' ', el('input', { type: 'date', name: 'from', value: view.from || '' })),
      el('label', null, t('supervision.to') + ' ', el('input', { type: 'date', name: 'to', value: view.to || '' })),
      el('button', { type: 'submit', class: 'secondary' }, t('supervision.apply')),
      el('span', { id: 'supervision-custom-error', class: 'error', role: 'alert' })),
    el('label', null, t('supervision.figure') + ' ',
      el('select', { id: 'supervision-kpi', onchange: e => { view.kpi = e.target.value; renderReports(); } },
        ...KPIS.map(([key]) => el('option', { value: key, selected: key === view.kpi }, t('kpi.' + key))))));
}

function renderReports() {
  if (!reports || !$('supervision-report')) return;
  const p = period();
  const last = isoDate(Date.parse(p.to) - DAY);
  $('supervision-report').replaceChildren(
    el('p', { id: 'supervision-period' }, t('supervision.period_shown', { from: p.from, to: last })),
    section('grid', reports.grid), section('department', reports.department));
}

function section(by, report) {
  const [key, kind, max] = KPIS.find(k => k[0] === view.kpi);
  const title = t('supervision.chart_title', { figure: t('kpi.' + key), by: t('supervision.by.' + by) });
  const rows = report.rows.map(r => ({ label: r.unit, value: r[key] }));
  return el('section', { class: 'supervision-part', 'data-by': by },
    el('div', { class: 'board-head' },
      el('h2', null, t('supervision.by.' + by)),
      el('a', { class: 'button', id: 'supervision-csv-' + by, download: '',
        href: `/api/supervision?${reports.query}&by=${by}&format=csv` }, t('supervision.csv'))),
    rows.length
      ? drawBars({ rows, title, max, none: t('supervision.none'), format: v => showValue(kind, v) })
      : el('p', { class: 'empty' }, t('supervision.empty')),
    table(by, report));
}

function table(by, report) {
  const all = report.total ? [...report.rows, report.total] : report.rows;
  return el('table', { class: 'data', id: 'supervision-table-' + by },
    el('caption', { class: 'visually-hidden' }, t('supervision.by.' + by)),
    el('thead', null, el('tr', null, el('th', { scope: 'col' }, t('supervision.unit.' + by)),
      el('th', { scope: 'col' }, t('kpi.false_alarms')),
      ...KPIS.map(([key]) => el('th', { scope: 'col' }, t('kpi.' + key))))),
    el('tbody', null, ...all.map(r => el('tr', { class: r === report.total ? 'total' : null },
      el('th', { scope: 'row' }, r === report.total ? t('supervision.total') : r.unit),
      el('td', null, number(r.false_alarms, 0)),
      ...KPIS.map(([key, kind]) => el('td', null, showValue(kind, r[key])))))));
}
