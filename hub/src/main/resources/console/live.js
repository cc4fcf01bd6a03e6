// The live feed: server-sent events from /api/events. The browser reconnects by itself and
// resumes with Last-Event-ID; when the hub refuses (signed out, restarted, too many clients) the
// stream is closed and we reopen it ourselves after a pause.
const RETRY_MS = 5000;

export class Live {
  constructor({ onEvent, onReset, onState, onSignedOut }) {
    Object.assign(this, { onEvent, onReset, onState, onSignedOut });
    this.source = null;
    this.lastId = null;
    this.timer = null;
  }

  start(lastEventId) {
    this.stop();
    this.lastId = lastEventId;
    const url = '/api/events' + (lastEventId ? '?last_event_id=' + encodeURIComponent(lastEventId) : '');
    const source = new EventSource(url);
    this.source = source;
    const take = (type) => (e) => {
      if (e.lastEventId) this.lastId = e.lastEventId;
      this.onEvent(type, JSON.parse(e.data));
    };
    source.addEventListener('incident.opened', take('incident.opened'));
    source.addEventListener('incident.updated', take('incident.updated'));
    source.addEventListener('incident.gone', take('incident.gone'));
    source.addEventListener('reset', (e) => {
      if (e.lastEventId) this.lastId = e.lastEventId;
      this.onReset();
    });
    source.addEventListener('signed-out', () => {
      this.stop();
      this.onSignedOut();
    });
    source.onopen = () => this.onState('live');
    source.onerror = () => {
      if (source.readyState === EventSource.CLOSED) {
        this.onState('down');
        this.timer = setTimeout(() => this.start(this.lastId), RETRY_MS);
      } else {
        this.onState('reconnecting');
      }
    };
  }

  stop() {
    clearTimeout(this.timer);
    if (this.source) this.source.close();
    this.source = null;
  }
}
