// The hall display board: what is being called, where, how many wait, how
// long; a spoken call; the hall's notice line. State comes from the board
// endpoint; the event stream only says when to fetch it again.
import { ApiError, client, data } from "./api.js";
import { byId, errorMessage, row, tbody, text } from "./dom.js";
import { debounced, hallEvents } from "./events.js";
const hallId = Number(document.body.dataset["hallId"]);
const STORE = `screens.board.${hallId}`;
let grant = null;
let voice = false;
function credentials(value) {
    if (typeof value !== "object" || value === null || !("device_code" in value) || !("secret" in value))
        return null;
    const { device_code, secret } = value;
    return typeof device_code === "string" && typeof secret === "string" ? { device_code, secret } : null;
}
function saved() {
    const stored = localStorage.getItem(STORE);
    if (!stored)
        return null;
    try {
        return credentials(JSON.parse(stored));
    }
    catch {
        return null;
    }
}
function device() {
    // The installer opens /screens/board/<hall>#device=<code>&secret=<secret> once;
    // the credentials stay on this device and leave the address bar.
    const hash = new URLSearchParams(location.hash.slice(1));
    const code = hash.get("device");
    const secret = hash.get("secret");
    if (code && secret) {
        localStorage.setItem(STORE, JSON.stringify({ device_code: code, secret }));
        history.replaceState(null, "", location.pathname);
    }
    return saved();
}
function field(form, name) {
    const input = form.elements.namedItem(name);
    return input instanceof HTMLInputElement ? input.value.trim() : "";
}
function askDevice() {
    const dialog = byId("device-login", HTMLDialogElement);
    return new Promise((resolve) => {
        const form = byId("device-form", HTMLFormElement);
        form.onsubmit = () => {
            const creds = { device_code: field(form, "device_code"), secret: field(form, "secret") };
            localStorage.setItem(STORE, JSON.stringify(creds));
            dialog.close();
            resolve(creds);
        };
        if (!dialog.open)
            dialog.showModal();
    });
}
async function boardToken(creds) {
    return data(await client().POST("/api/v1/screens/board-token", { body: creds }));
}
async function token() {
    if (grant && Date.parse(grant.expires_at) - Date.now() > 60000)
        return grant.token;
    let creds = device() ?? await askDevice();
    let granted;
    try {
        granted = await boardToken(creds);
    }
    catch (err) {
        if (err instanceof ApiError && (err.status === 401 || err.status === 422)) {
            localStorage.removeItem(STORE);
            text(byId("device-error", HTMLElement), err.message);
            creds = await askDevice();
            granted = await boardToken(creds);
        }
        else {
            throw err;
        }
    }
    grant = granted;
    if (granted.hall_id !== hallId)
        throw new Error("该设备不属于本大厅");
    return granted.token;
}
function windowLabel(window) {
    return Number(window) || window;
}
function render(state) {
    text(byId("hall-name", HTMLElement), state.hall_name);
    document.title = `${state.hall_name} 叫号大屏`;
    tbody(byId("calling", HTMLTableElement)).replaceChildren(...state.calling.slice(0, 8).map((c) => row([c.number, `${windowLabel(c.window)} 号窗口`])));
    byId("calling-empty", HTMLElement).hidden = state.calling.length > 0;
    tbody(byId("queues", HTMLTableElement)).replaceChildren(...state.queues.map((q) => row([`${q.prefix} ${q.name}`,
        `${q.waiting} 人`, q.waiting ? `约 ${q.estimated_wait_minutes} 分钟` : "无需等候"])));
    const notice = byId("notice", HTMLElement);
    text(notice, state.notice || "");
    if (notice.parentElement)
        notice.parentElement.hidden = !state.notice;
}
async function refresh() {
    try {
        const query = { token: await token() };
        render(data(await client().GET("/api/v1/screens/halls/{hall_id}/board", { params: { path: { hall_id: hallId }, query } })));
    }
    catch (err) {
        if (err instanceof ApiError && err.status === 401)
            grant = null;
        text(byId("link-state", HTMLElement), `刷新失败：${errorMessage(err)}`);
    }
}
function announce(event) {
    if (!voice || !("speechSynthesis" in window) || !event.number)
        return;
    const words = `请 ${event.number.split("").join(" ")} 号到 ${windowLabel(event.window ?? "")} 号窗口`;
    const utterance = new SpeechSynthesisUtterance(words);
    utterance.lang = "zh-CN";
    utterance.rate = 0.9;
    speechSynthesis.speak(utterance);
    // said twice, as hall callers do
    speechSynthesis.speak(new SpeechSynthesisUtterance(words));
}
const refreshSoon = debounced(() => { void refresh(); });
function onEvent(event) {
    if (event.type === "ticket.called" || event.type === "ticket.recalled")
        announce(event);
    document.body.dataset["lastEvent"] = event.type;
    refreshSoon();
}
function onState(up, why) {
    const state = byId("link-state", HTMLElement);
    state.className = up ? "link up" : "link down";
    text(state, up ? "实时" : (why ? `重连中：${why}` : "重连中…"));
}
function tick() {
    const now = new Date();
    text(byId("clock", HTMLElement), now.toLocaleString("zh-CN", { hour12: false, weekday: "short",
        month: "long", day: "numeric", hour: "2-digit", minute: "2-digit" }));
}
const enableVoice = byId("enable-voice", HTMLButtonElement);
enableVoice.addEventListener("click", () => {
    // browsers speak only after a user gesture on the page
    voice = true;
    speechSynthesis.speak(new SpeechSynthesisUtterance("语音播报已开启"));
    enableVoice.hidden = true;
});
tick();
setInterval(tick, 15000);
void refresh(); // the stream's hello fetches again; this shows the state even if the stream is refused
// a safety net beyond the stream (a lost event while Redis was away)
setInterval(() => { void refresh(); }, 60000);
hallEvents(hallId, { getToken: token, onEvent, onState });
