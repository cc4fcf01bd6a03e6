// The site plan: buildings and devices where the site file puts them (or where the hub laid them
// out), coloured by state, refreshed every 30 s and at once when an incident opens. The same
// devices are listed in a table beside the plan, for keyboards, screen readers and phones.
import { api } from './api.js';
import { $, el, svg } from './dom.js';
import { label, t } from './i18n.js';
import { age } from './format.js';
import { gatewayHealth, loadGateways } from './gateways.js';

const STATES = ['alarm', 'offline', 'warning', 'ok', 'unknown'];
const REFRESH_MS = 30000;
let timer = null;
let community = null;
let data = null;
let gateways = [];

export async function showSite() {
  clearTimeout(timer);
  await load();
  timer = setTimeout(refreshSite, REFRESH_MS);
}

export function hideSite() {
  clearTimeout(timer);
}

export async function refreshSite() {
  if ($('view-site').hidden) return;
  await showSite();
}

async function load() {
  try {
    [data, gateways] = await Promise.all([api('/api/site'), loadGateways()]);
  } catch (e) {
    $('site-body').replaceChildren(el('p', { class: 'error' }, e.message));
    return;
  }
  render();
}

export function rerenderSite() {
  if (data && !$('view-site').hidden) render();
}

function render() {
  const communities = data.communities;
  if (communities.length === 0) {
    $('site-body').replaceChildren(el('p', { class: 'empty' }, t('site.empty')));
    return;
  }
  const c = communities.find(x => x.id === community) || communities[0];
  community = c.id;
  const picker = communities.length > 1
    ? el('label', null, t('site.community') + ' ',
        el('select', { id: 'site-community', onchange: e => { community = e.target.value; render(); } },
          ...communities.map(x => el('option', { value: x.id, selected: x.id === c.id }, x.name))))
    : el('p', null, el('strong', null, c.name));
  $('site-body').replaceChildren(picker,
    el('div', { class: 'site-layout' },
      el('div', null, plan(c), legend()),
      el('div', { class: 'device-list' }, table(c))),
    gatewayHealth(gateways.filter(g => g.community_id === c.id)));
}

function plan(c) {
  const alarmed = new Set(c.devices.filter(d => d.state === 'alarm').map(d => d.building_id));
  const map = svg('svg', { class: 'plan', viewBox: '0 0 100 100', role: 'group', 'aria-label': t('site.plan_label', { name: c.name }) });
  for (const b of c.buildings) {
    map.append(svg('g', { class: 'building' + (alarmed.has(b.id) ? ' alarm' : ''), 'data-building': b.id },
      svg('rect', { x: b.x - 7, y: b.y - 4.5, width: 14, height: 9, rx: 0.8 }),
      svg('text', { x: b.x, y: b.y + 0.9 }, b.name)));
  }
  for (const d of c.devices) {
    const name = t('site.device_label', { id: d.id, type: label('device_type', d.type), state: label('state', d.state) });
    map.append(svg('a', { href: '#/devices/' + encodeURIComponent(d.id), class: 'device ' + d.state, 'data-device': d.id, 'aria-label': name },
      svg('title', null, name),
      svg('circle', { cx: d.x, cy: d.y, r: d.state === 'alarm' ? 2.2 : 1.6 })));
  }
  return map;
}

function legend() {
  return el('ul', { class: 'legend', 'aria-label': t('site.legend') },
    ...STATES.map(s => el('li', null, el('span', { class: 'state state-' + s }, label('state', s)))));
}

function table(c) {
  const order = d => STATES.indexOf(d.state);
  const rows = [...c.devices].sort((a, b) => order(a) - order(b) || a.id.localeCompare(b.id));
  return el('table', { class: 'data', id: 'site-devices' },
    el('caption', { class: 'visually-hidden' }, t('site.devices')),
    el('thead', null, el('tr', null,
      el('th', { scope: 'col' }, t('site.device')),
      el('th', { scope: 'col' }, t('site.state')),
      el('th', { scope: 'col' }, t('site.last_seen')))),
    el('tbody', null, ...rows.map(d => el('tr', { 'data-device': d.id },
      el('td', null, el('a', { href: '#/devices/' + encodeURIComponent(d.id) }, d.id),
        el('span', { class: 'sub' }, [label('device_type', d.type), d.building_name, d.location].filter(Boolean).join(' · '))),
      el('td', null, el('span', { class: 'state state-' + d.state }, label('state', d.state))),
      el('td', null, d.last_seen ? el('time', { datetime: d.last_seen, 'data-age': d.last_seen }, age(d.last_seen)) : t('site.never'))))));
}
