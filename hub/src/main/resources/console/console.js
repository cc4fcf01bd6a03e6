// The first console: sign in, then the open incidents, refreshed every two seconds.
'use strict';

const state = { token: sessionStorage.getItem('token'), seen: new Set(), first: true };

function el(tag, text) {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text; // never innerHTML: incident text comes from devices
  return e;
}

function age(iso) {
  const s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  return s < 60 ? s + ' s' : s < 3600 ? Math.floor(s / 60) + ' min' : Math.floor(s / 3600) + ' h';
}

function beep() {
  try {
    const ctx = new AudioContext();
    const o = ctx.createOscillator();
    o.frequency.value = 880;
    o.connect(ctx.destination);
    o.start();
    o.stop(ctx.currentTime + 0.4);
  } catch (e) { /* no audio: the red banner still shows */ }
}

function alarm(incident) {
  const box = document.getElementById('alarm');
  box.replaceChildren(el('span', 'NEW ' + incident.type + ': ' + incident.summary));
  const ok = el('button', 'Seen');
  ok.onclick = () => { box.hidden = true; };
  box.append(ok);
  box.hidden = false;
  beep();
}

async function refresh() {
  const res = await fetch('/api/incidents?open=true', { headers: { Authorization: 'Bearer ' + state.token } });
  if (res.status === 401) { signOut(); return; }
  const body = await res.json();
  const rows = body.incidents.map(i => {
    const tr = el('tr');
    tr.className = i.severity;
    tr.append(el('td', i.severity), el('td', i.type), el('td', i.summary), el('td', i.building_name || '-'),
      el('td', i.device_id || '-'), el('td', age(i.occurred_at)));
    if (!state.seen.has(i.id)) {
      state.seen.add(i.id);
      if (!state.first && i.severity === 'critical') alarm(i);
    }
    return tr;
  });
  state.first = false;
  document.getElementById('incidents').replaceChildren(...rows);
  document.getElementById('empty').hidden = rows.length > 0;
  document.getElementById('updated').textContent = 'updated ' + new Date().toLocaleTimeString();
}

function signOut() {
  sessionStorage.removeItem('token');
  location.reload();
}

function showBoard() {
  document.getElementById('login').hidden = true;
  document.getElementById('board').hidden = false;
  refresh();
  setInterval(refresh, 2000);
}

document.getElementById('login').addEventListener('submit', async ev => {
  ev.preventDefault();
  const form = new FormData(ev.target);
  const res = await fetch('/api/auth/token', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: form.get('username'), password: form.get('password') })
  });
  const body = await res.json();
  if (!res.ok) {
    document.getElementById('login-error').textContent = body.error;
    return;
  }
  state.token = body.token;
  sessionStorage.setItem('token', body.token);
  document.getElementById('who').textContent = form.get('username') + ' (' + body.role + ')';
  showBoard();
});

if (state.token) showBoard();
