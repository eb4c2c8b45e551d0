// The window console: sign in, open a counter session at a window, call and
// serve through the session API (docs/hall.md), with keyboard shortcuts. The
// hall's event stream tells the console when its waiting list or window
// changed; it then fetches them again.
import { call, row, text } from "./api.js";
import { debounced, hallEvents } from "./events.js";

const $ = (id) => document.getElementById(id);
const LANES = { priority: "绿色通道", appointment: "预约", walk_in: "现场" };
const SOURCES = { appointment: "预约签到", walk_in: "现场取号" };
const PRIORITY = { elderly: "老年人", disabled: "残疾人", pregnant: "孕妇" };
const BOOKING = "/api/v1/booking";
const store = sessionStorage;
let view = null; // /api/v1/screens/console: windows, queues, my figures
let counter = null; // the counter session
let ticket = null; // the ticket at my window
let stream = null;
let grant = null;
const items = new Map(); // item code -> guide summary

const auth = () => store.getItem("screens.console.token");

function show(which) {
  for (const id of ["login-view", "open-view", "work-view"]) $(id).hidden = id !== which;
}

function say(message, bad = false) {
  $("action-message").className = bad ? "message error" : "message";
  text($("action-message"), message);
}

async function api(method, path, body) {
  try {
    return await call(method, path, { token: auth(), body });
  } catch (err) {
    if (err.status === 401) { store.removeItem("screens.console.token"); show("login-view"); }
    throw err;
  }
}

function pairs(element, entries) {
  element.replaceChildren();
  for (const [k, v] of entries) {
    const dt = document.createElement("dt"); text(dt, k);
    const dd = document.createElement("dd"); text(dd, v);
    element.append(dt, dd);
  }
}

async function itemSummary(code) {
  if (!code) return null;
  if (!items.has(code)) {
    try { items.set(code, await call("GET", `/api/v1/guides/items/${encodeURIComponent(code)}`)); }
    catch { items.set(code, null); }
  }
  return items.get(code);
}

async function load() {
  view = await api("GET", "/api/v1/screens/console");
  try {
    counter = await api("GET", `${BOOKING}/counter-sessions/current`);
  } catch (err) {
    if (err.status !== 404) throw err;
    counter = null;
  }
  if (!counter) {
    if (stream) { stream.stop(); stream = null; }
    $("window-select").replaceChildren(...view.windows.map((w) => {
      const option = document.createElement("option");
      option.value = String(w.id);
      option.textContent = `${w.number} ${w.name}${w.staffed ? "（已有人在岗）" : ""}`;
      option.disabled = w.staffed;
      return option;
    }));
    show("open-view");
    return;
  }
  ticket = counter.current_ticket_id ? await api("GET", `${BOOKING}/tickets/${counter.current_ticket_id}`) : null;
  const waiting = await api("GET", `${BOOKING}/counter-sessions/${counter.id}/waiting`);
  await render(waiting);
  show("work-view");
  if (!stream) stream = hallEvents(view.hall_id, { getToken: streamToken, onEvent: refreshSoon, onState: linkState });
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

async function render(waiting) {
  text($("c-hall"), view.hall_name);
  text($("c-window"), `${counter.window_name}${counter.status === "paused" ? "（暂停中）" : ""}`);
  text($("pause-session"), counter.status === "paused" ? "恢复" : "暂停");
  text($("current-number"), ticket ? ticket.number : "—");
  if (ticket) {
    const entries = [["状态", ticket.status === "serving" ? "办理中" : "已叫号，等待到窗"],
      ["通道", LANES[ticket.lane] || ticket.lane], ["来源", SOURCES[ticket.source] || ticket.source],
      ["预约", ticket.appointment_id ? `预约单 ${ticket.appointment_id}（已签到）` : "无预约"],
      ["已叫次数", ticket.call_count]];
    if (ticket.priority_reason) entries.push(["绿色通道", PRIORITY[ticket.priority_reason] || ticket.priority_reason]);
    pairs($("current-detail"), entries);
    const item = await itemSummary(ticket.item);
    $("item-title").hidden = !item;
    pairs($("item-detail"), item ? [["事项", item.name], ["部门", item.department_name],
      ["承诺时限", `${item.promised_days} 个工作日${item.instant ? "（即办件）" : ""}`],
      ["申请材料", `${item.materials.length} 项`], ["编码", item.code]] : []);
  } else {
    pairs($("current-detail"), []);
    pairs($("item-detail"), []);
    $("item-title").hidden = true;
  }
  const atWindow = Boolean(ticket);
  $("btn-call").disabled = atWindow || counter.status !== "open";
  $("btn-serve").disabled = !ticket || ticket.status !== "called";
  for (const id of ["btn-recall", "btn-skip"]) $(id).disabled = !ticket || ticket.status !== "called";
  for (const id of ["btn-transfer", "btn-complete"]) $(id).disabled = !atWindow;
  $("transfer-queue").replaceChildren(...view.queues.filter((q) => !ticket || q.id !== ticket.queue_id).map((q) => {
    const option = document.createElement("option");
    option.value = String(q.id);
    option.textContent = `${q.prefix} ${q.name}`;
    return option;
  }));
  text($("waiting-count"), `（${waiting.total} 人）`);
  $("waiting").tBodies[0].replaceChildren(...waiting.tickets.map((t) => row([t.number, LANES[t.lane] || t.lane,
    SOURCES[t.source] || t.source, t.item_name || t.item || "—", t.waited_minutes])));
  const mine = view.mine;
  pairs($("mine"), [["叫号", mine.called], ["办结", mine.completed], ["过号", mine.skipped],
    ["平均办理", mine.average_service_minutes === null ? "—" : `${mine.average_service_minutes} 分钟`]]);
}

const refreshSoon = debounced(() => load().catch((err) => say(err.message, true)));

async function act(what) {
  if (!counter) return;
  try {
    if (what === "call") {
      const called = await api("POST", `${BOOKING}/counter-sessions/${counter.id}/call-next`);
      say(`已叫 ${called.number}`);
    } else if (!ticket) {
      return;
    } else if (what === "transfer") {
      await api("POST", `${BOOKING}/tickets/${ticket.id}/transfer`, { queue_id: Number($("transfer-queue").value) });
      say(`${ticket.number} 已转移`);
    } else {
      await api("POST", `${BOOKING}/tickets/${ticket.id}/${what}`);
      say({ recall: `已重呼 ${ticket.number}`, serve: `${ticket.number} 开始办理`, skip: `${ticket.number} 已过号`,
        complete: `${ticket.number} 已办结` }[what]);
    }
  } catch (err) {
    say(err.message, true);
  }
  await load().catch((err) => say(err.message, true));
}

const KEYS = { F1: "call", F2: "recall", F3: "skip", F4: "transfer", F5: "complete", F6: "serve" };
document.addEventListener("keydown", (e) => {
  if (!KEYS[e.key] || $("work-view").hidden) return;
  e.preventDefault();
  act(KEYS[e.key]);
});
for (const [id, what] of [["btn-call", "call"], ["btn-recall", "recall"], ["btn-serve", "serve"], ["btn-skip", "skip"],
  ["btn-transfer", "transfer"], ["btn-complete", "complete"]]) {
  $(id).addEventListener("click", () => act(what));
}

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
  try {
    await api("POST", `${BOOKING}/counter-sessions`, { window_id: Number($("window-select").value) });
    text($("open-error"), "");
    await load();
  } catch (err) {
    text($("open-error"), err.message);
  }
});

$("pause-session").addEventListener("click", async () => {
  try {
    await api("POST", `${BOOKING}/counter-sessions/${counter.id}/${counter.status === "paused" ? "resume" : "pause"}`);
  } catch (err) { say(err.message, true); }
  await load().catch((err) => say(err.message, true));
});

$("close-session").addEventListener("click", async () => {
  try {
    await api("POST", `${BOOKING}/counter-sessions/${counter.id}/close`);
  } catch (err) { say(err.message, true); }
  await load().catch((err) => say(err.message, true));
});

if (auth()) load().catch(() => show("login-view")); else show("login-view");
