// A hall's live events: an EventSource that survives token expiry and
// server restarts. The browser reconnects by itself after a dropped
// connection (sending Last-Event-ID); when the server refuses (an expired
// token, a full process) we build a new EventSource with a fresh token and
// pass the last id we saw as `last_event_id`, so nothing is missed either way.
// The stream is not a JSON operation of the API document, so it does not go
// through the typed client; the JSON state it points at does.
import { errorMessage } from "./dom.js";

/** What changed in the hall (booking/events.py): the page fetches the state again. */
export interface HallEvent {
  type: string;
  number: string | null;
  window: string | null;
}

export interface HallEventsOptions {
  getToken: () => Promise<string>;
  onEvent: (event: HallEvent) => void;
  onState: (up: boolean, why?: string) => void;
}

function parse(data: string): HallEvent | null {
  let value: unknown;
  try { value = JSON.parse(data); } catch { return null; }
  if (typeof value !== "object" || value === null || !("type" in value) || typeof value.type !== "string") return null;
  const number = "number" in value && typeof value.number === "string" ? value.number : null;
  const window = "window" in value && value.window !== null && value.window !== undefined ? String(value.window) : null;
  return { type: value.type, number, window };
}

export function hallEvents(hallId: number, { getToken, onEvent, onState }: HallEventsOptions) {
  let source: EventSource | null = null;
  let lastId: string | null = null;
  let retry = 1000;
  let stopped = false;

  async function open(): Promise<void> {
    if (stopped) return;
    let token: string;
    try {
      token = await getToken();
    } catch (err) {
      onState(false, errorMessage(err));
      setTimeout(open, retry = Math.min(retry * 2, 30000));
      return;
    }
    const query = new URLSearchParams({ token });
    if (lastId) query.set("last_event_id", lastId);
    const opened = new EventSource(`/api/v1/screens/halls/${hallId}/events?${query}`);
    source = opened;
    opened.onopen = () => { retry = 1000; onState(true); };
    opened.onmessage = (message: MessageEvent<string>) => {
      if (message.lastEventId) lastId = message.lastEventId;
      const event = parse(message.data);
      if (event) onEvent(event);
    };
    opened.onerror = () => {
      onState(false);
      if (opened.readyState === EventSource.CLOSED) {
        // refused (expired token, 503): the browser gives up; we come back with a new token
        source = null;
        setTimeout(open, retry = Math.min(retry * 2, 30000));
      }
    };
  }

  void open();
  return {
    stop(): void { stopped = true; if (source) source.close(); },
    get lastId(): string | null { return lastId; },
  };
}

// Many events in a burst need one re-fetch, not one each.
export function debounced(fn: () => void, ms = 150): () => void {
  let timer: ReturnType<typeof setTimeout> | null = null;
  return () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => { timer = null; fn(); }, ms);
  };
}
