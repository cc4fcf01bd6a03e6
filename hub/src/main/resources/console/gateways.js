// Gateway health for the site map: each gateway's uplink and its last health report (CPU, memory,
// disk, buffered readings, report age), red when the hub has no uplink from it, amber when its
// last report is old (more than five missed reports at the default one a minute).
import { api } from './api.js';
import { el } from './dom.js';
import { t } from './i18n.js';
import { age, now, number } from './format.js';

const STALE_MS = 5 * 60e3;

/** Every gateway with its health; an empty list when the hub would not say (the site map still shows). */
export async function loadGateways() {
  try {
    return (await api('/api/gateways')).gateways;
  } catch (e) {
    return [];
  }
}

export function gatewayState(g) {
  if (!g.uplink_connected) return 'offline';
  if (!g.health_at || now() - Date.parse(g.health_at) > STALE_MS) return 'warning';
  return 'ok';
}

export function gatewayHealth(gateways) {
  if (!gateways.length) return '';
  const value = (v, unit, digits = 0) => v == null ? '–' : number(v, digits) + unit;
  return el('section', { class: 'gateways' },
    el('h2', null, t('gateway.title')),
    el('table', { class: 'data', id: 'site-gateways' },
      el('thead', null, el('tr', null, ...['gateway.gateway', 'gateway.uplink', 'gateway.cpu', 'gateway.memory',
        'gateway.disk_free', 'gateway.buffer', 'gateway.report'].map(k => el('th', { scope: 'col' }, t(k))))),
      el('tbody', null, ...gateways.map(g => {
        const h = g.health || {};
        const state = gatewayState(g);
        return el('tr', { 'data-gateway': g.id, class: 'gateway-' + state },
          el('td', null, el('strong', null, g.id), el('span', { class: 'sub' }, g.name || '')),
          el('td', null, el('span', { class: 'state state-' + state }, t('gateway.state.' + state))),
          el('td', null, value(h.cpu_pct, ' %', 1)),
          el('td', null, value(h.mem_used_pct, ' %', 1)),
          el('td', null, value(h.disk_free_mb, ' MB')),
          el('td', null, value(h.buffer_pending_readings, ''),
            h.buffer_oldest_age_s ? el('span', { class: 'sub' }, t('gateway.oldest', { age: value(h.buffer_oldest_age_s, ' s') })) : ''),
          el('td', null, g.health_at ? el('time', { datetime: g.health_at, 'data-age': g.health_at }, age(g.health_at)) : t('site.never')));
      }))));
}
