// Four flows the client teams build first, run against a live server
// (clients/live_server.py) by `make client-check`. Every request and answer is
// typed from the OpenAPI document: a drift between the server and the
// document fails to compile here, or fails the run.
import { readFileSync } from "node:fs";
import type { components, paths } from "./api.js";
import { apiClient, check, ok } from "./client.js";

const BASE = process.env["API_BASE"] ?? "http://127.0.0.1:5000";
const CREDENTIALS_FILE = process.env["DEMO_CREDENTIALS"] ?? "../../instance/demo-credentials.json";
// The live server's clock starts on this working day (clients/live_server.py --start).
const TODAY = process.env["SERVER_TODAY"] ?? "2026-11-26";
const TOMORROW = process.env["SERVER_TOMORROW"] ?? "2026-11-27";
const RUN = Date.now().toString(36);

interface DemoCredentials {
  staff: { username: string; password: string; role: string }[];
  kiosk: { device_code: string; secret: string; hall_id: number };
}

function readCredentials(): DemoCredentials {
  const parsed: unknown = JSON.parse(readFileSync(CREDENTIALS_FILE, "utf-8"));
  if (typeof parsed !== "object" || parsed === null || !("staff" in parsed) || !("kiosk" in parsed)) {
    throw new Error(`${CREDENTIALS_FILE} is not the demo credentials file`);
  }
  const staff = parsed.staff;
  const kiosk = parsed.kiosk;
  if (!Array.isArray(staff) || typeof kiosk !== "object" || kiosk === null) throw new Error("bad credentials file");
  const people: DemoCredentials["staff"] = [];
  for (const entry of staff) {
    if (typeof entry === "object" && entry !== null && "username" in entry && "password" in entry && "role" in entry
        && typeof entry.username === "string" && typeof entry.password === "string" && typeof entry.role === "string") {
      people.push({ username: entry.username, password: entry.password, role: entry.role });
    }
  }
  if (!("device_code" in kiosk) || !("secret" in kiosk) || !("hall_id" in kiosk)
      || typeof kiosk.device_code !== "string" || typeof kiosk.secret !== "string" || typeof kiosk.hall_id !== "number") {
    throw new Error("bad kiosk entry in the credentials file");
  }
  return { staff: people, kiosk: { device_code: kiosk.device_code, secret: kiosk.secret, hall_id: kiosk.hall_id } };
}

async function citizenToken(user: string): Promise<string> {
  const login = ok(await apiClient(BASE, undefined, "miniprogram").POST("/api/v1/auth/wechat/miniprogram", {
    body: { code: `${user}-${RUN}:1` },
  }), "wechat login");
  check(login.token_type.toLowerCase() === "bearer", "a bearer token");
  return login.access_token;
}

async function staffToken(credentials: DemoCredentials, username: string): Promise<string> {
  const person = credentials.staff.find((entry) => entry.username === username);
  if (person === undefined) throw new Error(`no ${username} in the demo credentials`);
  const pair = ok(await apiClient(BASE).POST("/api/v1/auth/staff/login", {
    body: { username: person.username, password: person.password },
  }), "staff login");
  return pair.access_token;
}

async function firstBookableSlot(token: string, hallId: number, day: string): Promise<{ item: string; time: string }> {
  const api = apiClient(BASE, token, "miniprogram");
  const hall = ok(await api.GET("/api/v1/booking/halls/{hall_id}", { params: { path: { hall_id: hallId } } }), "hall");
  for (const entry of hall.items) {
    const day_slots = ok(await api.GET("/api/v1/booking/halls/{hall_id}/slots", {
      params: { path: { hall_id: hallId }, query: { item: entry.item_code, date: day } },
    }), "slots");
    const slot = day_slots.slots.find((candidate) => candidate.bookable && candidate.remaining > 0);
    if (slot !== undefined) return { item: entry.item_code, time: slot.time };
  }
  throw new Error(`no bookable slot at hall ${hallId} on ${day}`);
}

async function citizenBooking(): Promise<void> {
  const token = await citizenToken("alice");
  const api = apiClient(BASE, token, "miniprogram");
  const found = ok(await api.GET("/api/v1/guides/items", { params: { query: { q: "身份证丢了", page_size: 3 } } }),
                   "search");
  check(found.items.length > 0, "search finds the ID card items");
  const { item, time } = await firstBookableSlot(token, 1, TOMORROW);
  const key = `booking-${RUN}-0001`;
  const body = { hall_id: 1, item, date: TOMORROW, time };
  const first = await api.POST("/api/v1/booking/appointments", { body, params: { header: { "Idempotency-Key": key } } });
  const booked = ok(first, "book");
  check(first.response.status === 201 && booked.status === "booked", "booked");
  const again = await api.POST("/api/v1/booking/appointments", { body, params: { header: { "Idempotency-Key": key } } });
  check(ok(again, "replay").id === booked.id, "a retry gets the same appointment");
  check(again.response.headers.get("Idempotent-Replayed") === "true", "the retry is marked as replayed");
  const reused = await api.POST("/api/v1/booking/appointments", {
    body: { ...body, time: "16:00" }, params: { header: { "Idempotency-Key": key } },
  });
  check(reused.error?.code === "idempotency.key_reused", "the key with another body is refused with its code");
  const mine = await api.GET("/api/v1/booking/appointments", { params: { query: { page_size: 10 } } });
  check(ok(mine, "my appointments").some((entry) => entry.id === booked.id), "listed among mine");
  check(mine.response.headers.get("X-Pagination") !== null, "lists carry X-Pagination");
  console.log(`citizen booking: appointment ${booked.id} on ${booked.date} ${booked.time} (${booked.item})`);
}

async function kioskCheckInAndTicket(credentials: DemoCredentials): Promise<void> {
  const citizen = await citizenToken("bob");
  const hallId = credentials.kiosk.hall_id;
  const { item, time } = await firstBookableSlot(citizen, hallId, TODAY);
  const booked = ok(await apiClient(BASE, citizen, "miniprogram").POST("/api/v1/booking/appointments", {
    body: { hall_id: hallId, item, date: TODAY, time },
  }), "book today");
  const pair = ok(await apiClient(BASE).POST("/api/v1/auth/kiosk/token", {
    body: { device_code: credentials.kiosk.device_code, secret: credentials.kiosk.secret },
  }), "kiosk token");
  const kiosk = apiClient(BASE, pair.access_token, "kiosk");
  if (booked.qr_payload === null) throw new Error("an appointment to check in carries its QR payload");
  const ticket = ok(await kiosk.POST("/api/v1/booking/check-ins", {
    body: { qr_payload: booked.qr_payload }, params: { header: { "Idempotency-Key": `checkin-${RUN}-01` } },
  }), "check in");
  check(ticket.appointment_id === booked.id, "the ticket is the appointment's");
  const twice = await kiosk.POST("/api/v1/booking/check-ins", { body: { qr_payload: booked.qr_payload } });
  check(twice.error !== undefined && twice.response.status >= 400 && twice.response.status < 500,
        "checking in twice is a 4xx problem");
  const walkIn = ok(await kiosk.POST("/api/v1/booking/tickets", { body: { item } }), "walk-in ticket");
  const status = ok(await kiosk.GET("/api/v1/booking/tickets/{ticket_id}", {
    params: { path: { ticket_id: walkIn.id } },
  }), "ticket status");
  check(status.number === walkIn.number && status.position >= 1, "the ticket has its place in the queue");
  console.log(`kiosk: checked in as ${ticket.number}; walk-in ${status.number}, position ${status.position}`);
}

const PNG = "iVBORw0KGgoAAAANSUhEUgAAACgAAAAeCAIAAADRv8uKAAAALElEQVR4nO3NMQEAAAQAMATRP4pYKvg8W4HldMeHelnFYrFYLBaLxWKxWHyyHdwBQE1gaCAAAAAASUVORK5CYII=";
const JPEG = "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8UHRofHh0aHBwgJC4nICIsIxwcKDcpLDAxNDQ0Hyc5PTgyPC4zNDL/2wBDAQkJCQwLDBgNDRgyIRwhMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjL/wAARCAAgACADASIAAhEBAxEB/8QAHwAAAQUBAQEBAQEAAAAAAAAAAAECAwQFBgcICQoL/8QAtRAAAgEDAwIEAwUFBAQAAAF9AQIDAAQRBRIhMUEGE1FhByJxFDKBkaEII0KxwRVS0fAkM2JyggkKFhcYGRolJicoKSo0NTY3ODk6Q0RFRkdISUpTVFVWV1hZWmNkZWZnaGlqc3R1dnd4eXqDhIWGh4iJipKTlJWWl5iZmqKjpKWmp6ipqrKztLW2t7i5usLDxMXGx8jJytLT1NXW19jZ2uHi4+Tl5ufo6erx8vP09fb3+Pn6/8QAHwEAAwEBAQEBAQEBAQAAAAAAAAECAwQFBgcICQoL/8QAtREAAgECBAQDBAcFBAQAAQJ3AAECAxEEBSExBhJBUQdhcRMiMoEIFEKRobHBCSMzUvAVYnLRChYkNOEl8RcYGRomJygpKjU2Nzg5OkNERUZHSElKU1RVVldYWVpjZGVmZ2hpanN0dXZ3eHl6goOEhYaHiImKkpOUlZaXmJmaoqOkpaanqKmqsrO0tba3uLm6wsPExcbHyMnK0tPU1dbX2Nna4uPk5ebn6Onq8vP09fb3+Pn6/9oADAMBAAIRAxEAPwDn6KKK+0PiAooooAKKKKACiiigD//Z";
const PDF = Buffer.from("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n").toString("base64");

type SubmitBody = paths["/api/v1/applications/submit"]["post"]["requestBody"]["content"]["multipart/form-data"];

/** The multipart body: the typed `application` part sent as application/json (the document's
 * encoding), and each `files.<code>` part sent as a file. */
function multipart(body: SubmitBody): FormData {
  const form = new FormData();
  form.append("application", new Blob([JSON.stringify(body.application)], { type: "application/json" }));
  for (const [name, value] of Object.entries(body)) {
    if (name.startsWith("files.") && typeof value === "string") {
      form.append(name, new Blob([Buffer.from(value, "base64")]), `${name}.bin`);
    }
  }
  return form;
}

async function oneRequestSubmission(): Promise<void> {
  const api = apiClient(BASE, await citizenToken("carol"), "app");
  const application: components["schemas"]["ApplicationSubmitOnce"] = {
    item_code: "130300020000",
    delivery_method: "window",
    form: { name: "张三", id_number: "441900199003071238", disability_cert_no: "44190019900307123X41", reason: "有效期届满" },
  };
  // The file parts' names are open (files.<code>): typed by the document's additionalProperties.
  const files: Record<string, string> = { "files.M01": PDF, "files.M02": JPEG, "files.M03": PNG };
  const sent = await api.POST("/api/v1/applications/submit", {
    body: Object.assign({ application }, files),
    bodySerializer: multipart,
    params: { header: { "Idempotency-Key": `submit-${RUN}-0001` } },
  });
  const submitted = ok(sent, "one-request submission");
  check(sent.response.status === 201 && submitted.status === "submitted", "submitted in one request");
  const read = ok(await api.GET("/api/v1/applications/{application_id}", {
    params: { path: { application_id: submitted.id } },
  }), "read back");
  check(read.materials.length >= 3, "the materials are attached");
  console.log(`submission: application ${submitted.id} is ${read.status} with ${read.materials.length} materials`);
}

async function complaintWithRating(credentials: DemoCredentials): Promise<void> {
  const citizen = apiClient(BASE, await citizenToken("dave"), "app");
  const created = ok(await citizen.POST("/api/v1/cases", {
    body: { kind: "complaint", category: "conduct.attitude", text: `窗口工作人员态度恶劣 ${RUN}` },
    params: { header: { "Idempotency-Key": `case-${RUN}-0001` } },
  }), "complaint");
  const dispatcher = apiClient(BASE, await staffToken(credentials, "demo.admin"), "window");
  ok(await dispatcher.POST("/api/v1/staff/cases/{case_id}/dispatch", {
    params: { path: { case_id: created.id } }, body: { department_code: "renshe" },
  }), "dispatch");
  const department = apiClient(BASE, await staffToken(credentials, "demo.dept-admin"), "window");
  ok(await department.POST("/api/v1/staff/cases/{case_id}/reply", {
    params: { path: { case_id: created.id } }, body: { text: "已核实并批评教育当事人" },
  }), "reply");
  const closed = ok(await citizen.POST("/api/v1/cases/{case_id}/satisfaction", {
    params: { path: { case_id: created.id } }, body: { satisfaction: "satisfied" },
  }), "satisfaction");
  check(closed.state === "closed", "the case is closed");
  const rating = ok(await citizen.POST("/api/v1/ratings", {
    body: { event_kind: "case", event_id: created.id, level: "very_satisfied" },
  }), "rating");
  check(rating.level === "very_satisfied", "rated");
  console.log(`complaint: case ${created.id} ${closed.state}, rated ${rating.level}`);
}

async function main(): Promise<void> {
  const credentials = readCredentials();
  await citizenBooking();
  await kioskCheckInAndTicket(credentials);
  await oneRequestSubmission();
  await complaintWithRating(credentials);
  console.log("all client flows passed");
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
