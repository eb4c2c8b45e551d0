// The window console: sign in, take a window, call and serve. The hall's
// event stream tells the console when the waiting list or a window changed.
import { call, row, text } from "./api.js";
import { debounced, hallEvents } from "./events.js";

const $ = (id) => document.getElementById(id);
const LANES = { priority: "绿色通道", appointment: "预约", walk_in: "现场" };
const store = sessionStorage;
let view = null; // the console's state from /api/v1/screens/console
let stream = null;
let grant = null;

const auth = () => store.getItem("screens.console.token");
const windowId = () => Number(store.getItem("screens.console.window")) || null;
const myWindow = () => view && view.windows.find((w) => w.id === windowId());

function show(which) {
  for (const id of ["login-view", "open-view", "work-view"]) $(id).hidden = id !== which;
}

function say(message, bad = false) {
  const el = $("action-message");
  el.className = bad ? "message error" : "message";
  text(el, message);
}

async function api(method, path, body) {
  try {
    return await call(method, path, { token: auth(), body });
  } catch (err) {
    if (err.status === 401) { store.removeItem("screens.console.token"); show("login-view"); }
    throw err;
  }
}

async function load() {
  view = await api("GET", "/api/v1/screens/console");
  if (!windowId() || !myWindow()) {
    const select = $("window-select");
    select.replaceChildren(...view.windows.map((w) => {
      const option = document.createElement("option");
      option.value = String(w.id);
      option.textContent = `${w.number} ${w.name}`;
      return option;
    }));
    show("open-view");
    return;
  }
  render();
  show("work-view");
  if (!stream) {
    stream = hallEvents(view.hall_id, { getToken: streamToken, onEvent: refreshSoon, onState: linkState });
  }
}

async function streamToken() {
  if (grant && Date.parse(grant.expires_at) - Date.now() > 60000) return grant.token;
  grant = await api("POST", `/api/v1/screens/halls/${view.hall_id}/stream-token`);
  return grant.token;
}

function linkState(up) {
  $("c-link").className = up ? "link up" : "link down";
  text($("c-link"), up ? "实时" : "重连中…");
}

function render() {
  const w = myWindow();
  text($("c-hall"), view.hall_name);
  text($("c-window"), `${w.number} ${w.name}`);
  const current = w.current;
  text($("current-number"), current ? current.number : "—");
  const detail = $("current-detail");
  detail.replaceChildren();
  if (current) {
    const pairs = [["通道", LANES[current.lane] || current.lane], ["事项编码", current.item_code || "—"],
      ["预约", current.appointment_id ? `预约单 ${current.appointment_id}` : "现场取号"],
      ["已叫次数", current.call_count], ["已等", `${current.waited_minutes} 分钟`]];
    if (current.priority_reason) pairs.push(["绿色通道原因", current.priority_reason]);
    for (const [k, v] of pairs) {
      const dt = document.createElement("dt"); text(dt, k);
      const dd = document.createElement("dd"); text(dd, v);
      detail.append(dt, dd);
    }
  }
  for (const id of ["btn-recall", "btn-skip", "btn-transfer", "btn-complete"]) $(id).disabled = !current;
  $("btn-call").disabled = Boolean(current);
  const targets = view.queues.filter((q) => !current || q.id !== current.queue_id);
  $("transfer-queue").replaceChildren(...targets.map((q) => {
    const option = document.createElement("option");
    option.value = String(q.id);
    option.textContent = `${q.prefix} ${q.name}`;
    return option;
  }));
  const mine = view.windows.find((x) => x.id === w.id).queue_ids;
  const waiting = view.waiting.filter((t) => mine.includes(t.queue_id));
  text($("waiting-count"), `（${waiting.length} 人）`);
  $("waiting").tBodies[0].replaceChildren(...waiting.map((t) => row([t.number, LANES[t.lane] || t.lane,
    t.item_code || "—", t.waited_minutes])));
  const figures = $("mine");
  figures.replaceChildren();
  for (const [k, v] of [["叫号", view.mine.called], ["办结", view.mine.completed], ["过号", view.mine.skipped],
    ["平均办理", view.mine.average_service_minutes === null ? "—" : `${view.mine.average_service_minutes} 分钟`]]) {
    const dt = document.createElement("dt"); text(dt, k);
    const dd = document.createElement("dd"); text(dd, v);
    figures.append(dt, dd);
  }
}

const refreshSoon = debounced(() => load().catch((err) => say(err.message, true)));

async function act(what) {
  const w = myWindow();
  if (!w) return;
  const current = w.current;
  try {
    if (what === "call") {
      const ticket = await api("POST", `/api/v1/booking/windows/${w.id}/call-next`);
      say(`已叫 ${ticket.number}`);
    } else if (!current) {
      return;
    } else if (what === "transfer") {
      await api("POST", `/api/v1/booking/tickets/${current.id}/transfer`, { queue_id: Number($("transfer-queue").value) });
      say(`${current.number} 已转移`);
    } else {
      await api("POST", `/api/v1/booking/tickets/${current.id}/${what}`);
      say({ recall: `已重呼 ${current.number}`, skip: `${current.number} 已过号`, complete: `${current.number} 已办结` }[what]);
    }
  } catch (err) {
    say(err.message, true);
  }
  await load();
}

const KEYS = { F1: "call", F2: "recall", F3: "skip", F4: "transfer", F5: "complete" };
document.addEventListener("keydown", (e) => {
  if (!KEYS[e.key] || $("work-view").hidden) return;
  e.preventDefault();
  act(KEYS[e.key]);
});
$("btn-call").addEventListener("click", () => act("call"));
$("btn-recall").addEventListener("click", () => act("recall"));
$("btn-skip").addEventListener("click", () => act("skip"));
$("btn-transfer").addEventListener("click", () => act("transfer"));
$("btn-complete").addEventListener("click", () => act("complete"));

$("login-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const form = e.target;
  try {
    const pair = await call("POST", "/api/v1/auth/staff/login",
      { body: { username: form.username.value.trim(), password: form.password.value } });
    store.setItem("screens.console.token", pair.access_token);
    text($("login-error"), "");
    await load();
  } catch (err) {
    text($("login-error"), err.message);
  }
});

$("open-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  store.setItem("screens.console.window", $("window-select").value);
  await load();
});

$("close-session").addEventListener("click", () => {
  store.removeItem("screens.console.window");
  if (stream) { stream.stop(); stream = null; }
  load().catch((err) => say(err.message, true));
});

if (auth()) load().catch(() => show("login-view")); else show("login-view");
