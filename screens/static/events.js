// A hall's live events: an EventSource that survives token expiry and
// server restarts. The browser reconnects by itself after a dropped
// connection (sending Last-Event-ID); when the server refuses (an expired
// token, a full process) we build a new EventSource with a fresh token and
// pass the last id we saw as `last_event_id`, so nothing is missed either way.
// The stream is not a JSON operation of the API document, so it does not go
// through the typed client; the JSON state it points at does.
import { errorMessage } from "./dom.js";
function parse(data) {
    let value;
    try {
        value = JSON.parse(data);
    }
    catch {
        return null;
    }
    if (typeof value !== "object" || value === null || !("type" in value) || typeof value.type !== "string")
        return null;
    const number = "number" in value && typeof value.number === "string" ? value.number : null;
    const window = "window" in value && value.window !== null && value.window !== undefined ? String(value.window) : null;
    return { type: value.type, number, window };
}
export function hallEvents(hallId, { getToken, onEvent, onState }) {
    let source = null;
    let lastId = null;
    let retry = 1000;
    let stopped = false;
    async function open() {
        if (stopped)
            return;
        let token;
        try {
            token = await getToken();
        }
        catch (err) {
            onState(false, errorMessage(err));
            setTimeout(open, retry = Math.min(retry * 2, 30000));
            return;
        }
        const query = new URLSearchParams({ token });
        if (lastId)
            query.set("last_event_id", lastId);
        const opened = new EventSource(`/api/v1/screens/halls/${hallId}/events?${query}`);
        source = opened;
        opened.onopen = () => { retry = 1000; onState(true); };
        opened.onmessage = (message) => {
            if (message.lastEventId)
                lastId = message.lastEventId;
            const event = parse(message.data);
            if (event)
                onEvent(event);
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
        stop() { stopped = true; if (source)
            source.close(); },
        get lastId() { return lastId; },
    };
}
// Many events in a burst need one re-fetch, not one each.
export function debounced(fn, ms = 150) {
    let timer = null;
    return () => {
        if (timer)
            clearTimeout(timer);
        timer = setTimeout(() => { timer = null; fn(); }, ms);
    };
}
