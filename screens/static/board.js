// The hall display board: what is being called, where, how many wait, how
// long; a spoken call; the hall's notice line. State comes from the board
// endpoint; the event stream only says when to fetch it again.
import { call, row, text } from "./api.js";
import { debounced, hallEvents } from "./events.js";

const hallId = Number(document.body.dataset.hallId);
const STORE = `screens.board.${hallId}`;
let grant = null; // {token, expires_at}
let voice = false;

function device() {
  // The installer opens /screens/board/<hall>#device=<code>&secret=<secret> once;
  // the credentials stay on this device and leave the address bar.
  const hash = new URLSearchParams(location.hash.slice(1));
  if (hash.get("device") && hash.get("secret")) {
    localStorage.setItem(STORE, JSON.stringify({ device_code: hash.get("device"), secret: hash.get("secret") }));
    history.replaceState(null, "", location.pathname);
  }
  const saved = localStorage.getItem(STORE);
  return saved ? JSON.parse(saved) : null;
}

function askDevice() {
  const dialog = document.getElementById("device-login");
  return new Promise((resolve) => {
    const form = document.getElementById("device-form");
    form.onsubmit = () => {
      const creds = { device_code: form.device_code.value.trim(), secret: form.secret.value.trim() };
      localStorage.setItem(STORE, JSON.stringify(creds));
      dialog.close();
      resolve(creds);
    };
    if (!dialog.open) dialog.showModal();
  });
}

async function token() {
  if (grant && Date.parse(grant.expires_at) - Date.now() > 60000) return grant.token;
  let creds = device() || await askDevice();
  try {
    grant = await call("POST", "/api/v1/screens/board-token", { body: creds });
  } catch (err) {
    if (err.status === 401 || err.status === 422) {
      localStorage.removeItem(STORE);
      text(document.getElementById("device-error"), err.message);
      creds = await askDevice();
      grant = await call("POST", "/api/v1/screens/board-token", { body: creds });
    } else {
      throw err;
    }
  }
  if (grant.hall_id !== hallId) throw new Error("该设备不属于本大厅");
  return grant.token;
}

function render(state) {
  text(document.getElementById("hall-name"), state.hall_name);
  document.title = `${state.hall_name} 叫号大屏`;
  const calling = document.querySelector("#calling tbody");
  calling.replaceChildren(...state.calling.slice(0, 8).map((c) => row([c.number, `${Number(c.window) || c.window} 号窗口`])));
  document.getElementById("calling-empty").hidden = state.calling.length > 0;
  const queues = document.querySelector("#queues tbody");
  queues.replaceChildren(...state.queues.map((q) => row([`${q.prefix} ${q.name}`, `${q.waiting} 人`,
    q.waiting ? `约 ${q.estimated_wait_minutes} 分钟` : "无需等候"])));
  const notice = document.getElementById("notice");
  text(notice, state.notice || "");
  notice.parentElement.hidden = !state.notice;
}

async function refresh() {
  try {
    render(await call("GET", `/api/v1/screens/halls/${hallId}/board`, { query: { token: await token() } }));
  } catch (err) {
    if (err.status === 401) grant = null;
    text(document.getElementById("link-state"), `刷新失败：${err.message}`);
  }
}

function announce(event) {
  if (!voice || !("speechSynthesis" in window) || !event.number) return;
  const window_ = Number(event.window) || event.window;
  const words = `请 ${event.number.split("").join(" ")} 号到 ${window_} 号窗口`;
  const utterance = new SpeechSynthesisUtterance(words);
  utterance.lang = "zh-CN";
  utterance.rate = 0.9;
  speechSynthesis.speak(utterance);
  // said twice, as hall callers do
  speechSynthesis.speak(new SpeechSynthesisUtterance(words));
}

const refreshSoon = debounced(refresh);

function onEvent(event) {
  if (event.type === "ticket.called" || event.type === "ticket.recalled") announce(event);
  document.body.dataset.lastEvent = event.type;
  refreshSoon();
}

function onState(up, why) {
  const state = document.getElementById("link-state");
  state.className = up ? "link up" : "link down";
  text(state, up ? "实时" : (why ? `重连中：${why}` : "重连中…"));
}

function tick() {
  const now = new Date();
  text(document.getElementById("clock"), now.toLocaleString("zh-CN", { hour12: false, weekday: "short",
    month: "long", day: "numeric", hour: "2-digit", minute: "2-digit" }));
}

document.getElementById("enable-voice").addEventListener("click", (e) => {
  // browsers speak only after a user gesture on the page
  voice = true;
  speechSynthesis.speak(new SpeechSynthesisUtterance("语音播报已开启"));
  e.target.hidden = true;
});

tick();
setInterval(tick, 15000);
refresh(); // the stream's hello fetches again; this shows the state even if the stream is refused
// a safety net beyond the stream (a lost event while Redis was away)
setInterval(refresh, 60000);
hallEvents(hallId, { getToken: token, onEvent, onState });
