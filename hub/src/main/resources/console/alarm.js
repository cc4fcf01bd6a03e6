// Sound for a new critical incident: a two-tone alert repeated until someone marks it seen.
// Browsers keep audio off until the user interacts with the page; signing in counts, a reload
// does not, so the console then shows a button to turn it on.
let context = null;
let timer = null;
let listener = () => {};

/** Called with true or false whenever the sound becomes available or not. */
export function onSoundState(fn) {
  listener = fn;
}

function notify() {
  listener(soundAvailable());
}

/** Call from a click or key press: the browser then lets the page make sound. */
export function unlockSound() {
  try {
    if (!context) {
      context = new AudioContext();
      context.onstatechange = notify;
    }
    if (context.state === 'suspended') context.resume().then(notify, notify);
  } catch (e) {
    context = null;
  }
  notify();
}

export function soundAvailable() {
  return context !== null && context.state === 'running';
}

function tone(at, freq) {
  const o = context.createOscillator();
  const g = context.createGain();
  o.type = 'square';
  o.frequency.value = freq;
  g.gain.setValueAtTime(0.15, at);
  g.gain.exponentialRampToValueAtTime(0.001, at + 0.35);
  o.connect(g).connect(context.destination);
  o.start(at);
  o.stop(at + 0.35);
}

function ring() {
  if (!soundAvailable()) return;
  const t0 = context.currentTime;
  tone(t0, 988);
  tone(t0 + 0.4, 740);
  tone(t0 + 0.8, 988);
}

export function startAlarm() {
  if (timer) return;
  ring();
  timer = setInterval(ring, 4000);
}

export function stopAlarm() {
  clearInterval(timer);
  timer = null;
}
