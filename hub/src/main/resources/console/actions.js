// The loop's actions on one incident, as the hub allows them now: the incident's `actions` list
// comes from the transition table and the caller's role (GET /api/incidents/{id}), so the console
// never decides who may do what. Acknowledge and check in are one click; the others open a short
// form (what was done, a rating, a reason). A refusal (409: the incident moved on meanwhile) shows
// the hub's own message.
import { api, ApiError } from './api.js';
import { el } from './dom.js';
import { t } from './i18n.js';

const ONE_CLICK = ['acknowledge', 'check-in'];

// The fields each action's form asks for: [name, kind, required].
const FORMS = {
  dispatch: [['department', 'text', false], ['responder', 'text', false], ['reason', 'text', false]],
  resolve: [['action_taken', 'textarea', true]],
  close: [['rating', 'rating', true], ['comment', 'textarea', false]],
  cancel: [['reason', 'textarea', true]],
  reopen: [['reason', 'textarea', true]]
};

/** The action bar of incident {@code i}; {@code done(incident)} gets the hub's answer after an action. */
export function actionPanel(i, done) {
  const panel = el('section', { class: 'actions', id: 'incident-actions', 'data-status': i.status, 'aria-labelledby': 'actions-title' });
  const error = el('p', { class: 'error', role: 'alert', id: 'action-error' });
  const forms = el('div', { class: 'action-form' });
  const submit = async (action, body, button) => {
    button.disabled = true;
    error.textContent = '';
    try {
      done(await api('/api/incidents/' + i.id + '/' + action, { method: 'POST', body }));
    } catch (e) {
      error.textContent = e instanceof ApiError && e.status === 409 ? t('actions.refused', { reason: e.message }) : e.message;
      button.disabled = false;
    }
  };
  const buttons = (i.actions || []).map(action => el('button', {
    type: 'button', 'data-action': action, class: action === 'cancel' ? 'secondary' : null,
    onclick: ev => ONE_CLICK.includes(action) ? submit(action, {}, ev.target) : forms.replaceChildren(form(action, submit))
  }, t('actions.' + action)));
  panel.append(el('h2', { id: 'actions-title' }, t('actions.title')),
    buttons.length ? el('div', { class: 'action-buttons' }, buttons) : el('p', { class: 'empty' }, t('actions.none')),
    forms, error);
  return panel;
}

/** Whether the user is in the middle of a form (a live refresh then keeps the panel as it is). */
export function formOpen(panel) {
  return panel !== null && panel.querySelector('form') !== null;
}

function form(action, submit) {
  const f = el('form', { 'data-form': action, novalidate: false },
    el('h3', null, t('actions.' + action)),
    ...FORMS[action].map(([name, kind, required]) => field(action, name, kind, required)),
    el('div', { class: 'action-buttons' },
      el('button', { type: 'submit', 'data-submit': action }, t('actions.confirm.' + action)),
      el('button', { type: 'button', class: 'secondary', onclick: () => f.remove() }, t('actions.back'))));
  f.addEventListener('submit', ev => {
    ev.preventDefault();
    if (!f.reportValidity()) return;
    const body = {};
    for (const [name, value] of new FormData(f)) {
      if (value !== '') body[name] = name === 'rating' ? Number(value) : value;
    }
    submit(action, body, f.querySelector('[type=submit]'));
  });
  return f;
}

function field(action, name, kind, required) {
  const id = 'f-' + action + '-' + name;
  if (kind === 'rating') {
    return el('fieldset', { class: 'rating' }, el('legend', null, t('form.' + name)),
      ...[1, 2, 3, 4, 5].map(n => el('label', null,
        el('input', { type: 'radio', name, value: n, required, 'data-rating': n }), ' ' + n)));
  }
  const input = kind === 'textarea'
    ? el('textarea', { id, name, required, rows: 3, maxlength: 2000 })
    : el('input', { id, name, required, maxlength: 64 });
  return el('label', { for: id }, el('span', null, t('form.' + name) + (required ? '' : ' ' + t('actions.optional'))), input);
}
