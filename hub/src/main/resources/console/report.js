// A phone report (#/report): staff enter a call from a resident without a smartphone, on their
// behalf (POST /api/reports/phone). The hub opens an incident and dispatches it like any other;
// the console then shows that incident.
import { api } from './api.js';
import { $, el } from './dom.js';
import { label, t } from './i18n.js';

export async function showReport() {
  const body = $('report-body');
  body.replaceChildren(el('p', null, t('common.loading')));
  let categories;
  let site;
  try {
    [categories, site] = await Promise.all([api('/api/report-categories'), api('/api/site')]);
  } catch (e) {
    body.replaceChildren(el('p', { class: 'error' }, e.message));
    return;
  }
  const error = el('p', { class: 'error', role: 'alert', id: 'report-error' });
  const buildings = site.communities.flatMap(c => c.buildings.map(b => ({ community: c.id, id: b.id, name: b.name || b.id })));
  const form = el('form', { id: 'report-form', class: 'stacked' },
    field('category', el('select', { id: 'r-category', name: 'category', required: true },
      ...categories.categories.map(c => el('option', { value: c.category }, label('category', c.category) + ' (' + label('severity', c.severity) + ')')))),
    field('text', el('textarea', { id: 'r-text', name: 'text', required: true, rows: 4, maxlength: 4000 })),
    field('building', el('select', { id: 'r-building', name: 'building' },
      el('option', { value: '' }, t('report.no_building')),
      ...buildings.map(b => el('option', { value: b.community + '/' + b.id }, b.name)))),
    field('location', el('input', { id: 'r-location', name: 'location', maxlength: 200 })),
    field('caller_name', el('input', { id: 'r-caller_name', name: 'caller_name', required: true, maxlength: 200, autocomplete: 'off' })),
    field('caller_phone', el('input', { id: 'r-caller_phone', name: 'caller_phone', type: 'tel', maxlength: 40, autocomplete: 'off' })),
    el('button', { type: 'submit', id: 'report-submit' }, t('report.submit')),
    error);
  form.addEventListener('submit', async ev => {
    ev.preventDefault();
    if (!form.reportValidity()) return;
    const data = Object.fromEntries([...new FormData(form)].filter(([, v]) => v !== ''));
    if (data.building) [data.community, data.building] = data.building.split('/');
    const button = $('report-submit');
    button.disabled = true;
    error.textContent = '';
    try {
      const created = await api('/api/reports/phone', { method: 'POST', body: data });
      location.hash = '#/incidents/' + created.incident_id;
    } catch (e) {
      error.textContent = e.message;
      button.disabled = false;
    }
  });
  body.replaceChildren(el('p', null, t('report.intro')), form);
}

function field(name, input) {
  return el('label', { for: input.id }, el('span', null, t('report.' + name)), input);
}
