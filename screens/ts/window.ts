// The window console: sign in, open a counter session at a window, call and
// serve through the session API (docs/hall.md), with keyboard shortcuts. The
// hall's event stream tells the console when its waiting list or window
// changed; it then fetches them again.
import { ApiError, client, data, done, type Client, type Schemas } from "./api.js";
import { byId, errorMessage, row, tbody, text } from "./dom.js";
import { debounced, hallEvents } from "./events.js";

type Action = "call" | "recall" | "serve" | "skip" | "transfer" | "complete";
type Console = Schemas["Console"];
type CounterSession = Schemas["CounterSession"];
type Ticket = Schemas["Ticket"];

const el = (id: string): HTMLElement => byId(id, HTMLElement);
const button = (id: string): HTMLButtonElement => byId(id, HTMLButtonElement);
const select = (id: string): HTMLSelectElement => byId(id, HTMLSelectElement);
const LANES: Record<string, string> = { priority: "绿色通道", appointment: "预约", walk_in: "现场" };
const SOURCES: Record<string, string> = { appointment: "预约签到", walk_in: "现场取号" };
const PRIORITY: Record<string, string> = { elderly: "老年人", disabled: "残疾人", pregnant: "孕妇" };
const TOKEN = "screens.console.token";
const store = sessionStorage;
let counter: CounterSession | null = null; // the counter session
let ticket: Ticket | null = null; // the ticket at my window
let stream: ReturnType<typeof hallEvents> | null = null;
let grant: Schemas["StreamToken"] | null = null;
const items = new Map<string, Schemas["Item"] | null>(); // item code -> guide summary

const auth = (): string | null => store.getItem(TOKEN);

function show(which: string): void {
  for (const id of ["login-view", "open-view", "work-view"]) el(id).hidden = id !== which;
}

function say(message: string, bad = false): void {
  el("action-message").className = bad ? "message error" : "message";
  text(el("action-message"), message);
}

/** A call as the signed-in clerk; a 401 (expired or revoked) sends them back to the login. */
async function api<T>(run: (api: Client) => Promise<T>): Promise<T> {
  try {
    return await run(client(auth()));
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) { store.removeItem(TOKEN); show("login-view"); }
    throw err;
  }
}

function pairs(element: HTMLElement, entries: [string, string | number][]): void {
  element.replaceChildren();
  for (const [k, v] of entries) {
    const dt = document.createElement("dt"); text(dt, k);
    const dd = document.createElement("dd"); text(dd, v);
    element.append(dt, dd);
  }
}

async function itemSummary(code: string | null): Promise<Schemas["Item"] | null> {
  if (!code) return null;
  if (!items.has(code)) {
    try { items.set(code, data(await client().GET("/api/v1/guides/items/{code}", { params: { path: { code } } }))); }
    catch { items.set(code, null); }
  }
  return items.get(code) ?? null;
}

async function currentSession(): Promise<CounterSession | null> {
  return api(async (c) => {
    const answer = await c.GET("/api/v1/booking/counter-sessions/current");
    return answer.response.status === 404 ? null : data(answer);
  });
}

async function load(): Promise<void> {
  // /api/v1/screens/console: windows, queues, my figures
  const console_ = await api(async (c) => data(await c.GET("/api/v1/screens/console")));
  counter = await currentSession();
  if (!counter) {
    if (stream) { stream.stop(); stream = null; }
    select("window-select").replaceChildren(...console_.windows.map((w) => {
      const option = document.createElement("option");
      option.value = String(w.id);
      option.textContent = `${w.number} ${w.name}${w.staffed ? "（已有人在岗）" : ""}`;
      option.disabled = w.staffed;
      return option;
    }));
    show("open-view");
    return;
  }
  const session = counter;
  const ticketId = session.current_ticket_id;
  ticket = ticketId === null ? null : await api(async (c) => data(await c.GET("/api/v1/booking/tickets/{ticket_id}",
    { params: { path: { ticket_id: ticketId } } })));
  const waiting = await api(async (c) => data(await c.GET("/api/v1/booking/counter-sessions/{session_id}/waiting",
    { params: { path: { session_id: session.id } } })));
  await render(console_, session, waiting);
  show("work-view");
  if (!stream) {
    stream = hallEvents(console_.hall_id, { getToken: () => streamToken(console_.hall_id), onEvent: refreshSoon,
      onState: linkState });
  }
}

async function streamToken(hallId: number): Promise<string> {
  if (grant && Date.parse(grant.expires_at) - Date.now() > 60000) return grant.token;
  const granted = await api(async (c) => data(await c.POST("/api/v1/screens/halls/{hall_id}/stream-token",
    { params: { path: { hall_id: hallId } } })));
  grant = granted;
  return granted.token;
}

function linkState(up: boolean): void {
  el("c-link").className = up ? "link up" : "link down";
  text(el("c-link"), up ? "实时" : "重连中…");
}

async function render(view: Console, counter: CounterSession, waiting: Schemas["WaitingList"]): Promise<void> {
  text(el("c-hall"), view.hall_name);
  text(el("c-window"), `${counter.window_name}${counter.status === "paused" ? "（暂停中）" : ""}`);
  text(el("pause-session"), counter.status === "paused" ? "恢复" : "暂停");
  text(el("current-number"), ticket ? ticket.number : "—");
  if (ticket) {
    const entries: [string, string | number][] = [["状态", ticket.status === "serving" ? "办理中" : "已叫号，等待到窗"],
      ["通道", LANES[ticket.lane] || ticket.lane], ["来源", SOURCES[ticket.source] || ticket.source],
      ["预约", ticket.appointment_id ? `预约单 ${ticket.appointment_id}（已签到）` : "无预约"],
      ["已叫次数", ticket.call_count]];
    if (ticket.priority_reason) entries.push(["绿色通道", PRIORITY[ticket.priority_reason] || ticket.priority_reason]);
    pairs(el("current-detail"), entries);
    const item = await itemSummary(ticket.item);
    el("item-title").hidden = !item;
    pairs(el("item-detail"), item ? [["事项", item.name], ["部门", item.department_name],
      ["承诺时限", `${item.promised_days} 个工作日${item.instant ? "（即办件）" : ""}`],
      ["申请材料", `${item.materials.length} 项`], ["编码", item.code]] : []);
  } else {
    pairs(el("current-detail"), []);
    pairs(el("item-detail"), []);
    el("item-title").hidden = true;
  }
  const atWindow = Boolean(ticket);
  button("btn-call").disabled = atWindow || counter.status !== "open";
  button("btn-serve").disabled = !ticket || ticket.status !== "called";
  for (const id of ["btn-recall", "btn-skip"]) button(id).disabled = !ticket || ticket.status !== "called";
  for (const id of ["btn-transfer", "btn-complete"]) button(id).disabled = !atWindow;
  select("transfer-queue").replaceChildren(...view.queues.filter((q) => !ticket || q.id !== ticket.queue_id).map((q) => {
    const option = document.createElement("option");
    option.value = String(q.id);
    option.textContent = `${q.prefix} ${q.name}`;
    return option;
  }));
  text(el("waiting-count"), `（${waiting.total} 人）`);
  tbody(byId("waiting", HTMLTableElement)).replaceChildren(...waiting.tickets.map((t) => row([t.number,
    LANES[t.lane] || t.lane, SOURCES[t.source] || t.source, t.item_name || t.item || "—", t.waited_minutes])));
  const mine = view.mine;
  pairs(el("mine"), [["叫号", mine.called], ["办结", mine.completed], ["过号", mine.skipped],
    ["平均办理", mine.average_service_minutes === null ? "—" : `${mine.average_service_minutes} 分钟`]]);
}

const refreshSoon = debounced(() => { load().catch((err: unknown) => say(errorMessage(err), true)); });

async function ticketAction(c: Client, what: Exclude<Action, "call">, at: Ticket): Promise<string> {
  const params = { params: { path: { ticket_id: at.id } } };
  switch (what) {
    case "transfer":
      done(await c.POST("/api/v1/booking/tickets/{ticket_id}/transfer",
        { ...params, body: { queue_id: Number(select("transfer-queue").value) } }));
      return `${at.number} 已转移`;
    case "recall":
      done(await c.POST("/api/v1/booking/tickets/{ticket_id}/recall", params));
      return `已重呼 ${at.number}`;
    case "serve":
      done(await c.POST("/api/v1/booking/tickets/{ticket_id}/serve", params));
      return `${at.number} 开始办理`;
    case "skip":
      done(await c.POST("/api/v1/booking/tickets/{ticket_id}/skip", params));
      return `${at.number} 已过号`;
    case "complete":
      done(await c.POST("/api/v1/booking/tickets/{ticket_id}/complete", params));
      return `${at.number} 已办结`;
  }
}

async function act(what: Action): Promise<void> {
  const session = counter;
  if (!session) return;
  try {
    if (what === "call") {
      const called = await api(async (c) => data(await c.POST("/api/v1/booking/counter-sessions/{session_id}/call-next",
        { params: { path: { session_id: session.id } } })));
      say(`已叫 ${called.number}`);
    } else {
      const at = ticket;
      if (!at) return;
      say(await api((c) => ticketAction(c, what, at)));
    }
  } catch (err) {
    say(errorMessage(err), true);
  }
  await load().catch((err: unknown) => say(errorMessage(err), true));
}

const KEYS: Record<string, Action> = { F1: "call", F2: "recall", F3: "skip", F4: "transfer", F5: "complete", F6: "serve" };
document.addEventListener("keydown", (e) => {
  const what = KEYS[e.key];
  if (!what || el("work-view").hidden) return;
  e.preventDefault();
  void act(what);
});
const BUTTONS: [string, Action][] = [["btn-call", "call"], ["btn-recall", "recall"], ["btn-serve", "serve"],
  ["btn-skip", "skip"], ["btn-transfer", "transfer"], ["btn-complete", "complete"]];
for (const [id, what] of BUTTONS) {
  button(id).addEventListener("click", () => { void act(what); });
}

function field(form: HTMLFormElement, name: string): string {
  const input = form.elements.namedItem(name);
  return input instanceof HTMLInputElement ? input.value : "";
}

const loginForm = byId("login-form", HTMLFormElement);
loginForm.addEventListener("submit", async (e) => {
  e.preventDefault();
  try {
    const pair = data(await client().POST("/api/v1/auth/staff/login",
      { body: { username: field(loginForm, "username").trim(), password: field(loginForm, "password") } }));
    store.setItem(TOKEN, pair.access_token);
    text(el("login-error"), "");
    await load();
  } catch (err) {
    text(el("login-error"), errorMessage(err));
  }
});

byId("open-form", HTMLFormElement).addEventListener("submit", async (e) => {
  e.preventDefault();
  try {
    await api(async (c) => done(await c.POST("/api/v1/booking/counter-sessions",
      { body: { window_id: Number(select("window-select").value) } })));
    text(el("open-error"), "");
    await load();
  } catch (err) {
    text(el("open-error"), errorMessage(err));
  }
});

button("pause-session").addEventListener("click", async () => {
  const session = counter;
  if (!session) return;
  const path = { params: { path: { session_id: session.id } } };
  try {
    await api(async (c) => done(session.status === "paused"
      ? await c.POST("/api/v1/booking/counter-sessions/{session_id}/resume", path)
      : await c.POST("/api/v1/booking/counter-sessions/{session_id}/pause", path)));
  } catch (err) { say(errorMessage(err), true); }
  await load().catch((err: unknown) => say(errorMessage(err), true));
});

button("close-session").addEventListener("click", async () => {
  const session = counter;
  if (!session) return;
  try {
    await api(async (c) => done(await c.POST("/api/v1/booking/counter-sessions/{session_id}/close",
      { params: { path: { session_id: session.id } } })));
  } catch (err) { say(errorMessage(err), true); }
  await load().catch((err: unknown) => say(errorMessage(err), true));
});

if (auth()) load().catch(() => show("login-view")); else show("login-view");
