// Plain fetch against the service's own API (same origin). The pages ship as
// static modules without a build step, so the generated TypeScript client
// (which needs npm and a bundler) is not used here; the shapes used are the
// ones documented in /api/v1/openapi.json.

export class ApiError extends Error {
  constructor(status, problem) {
    super((problem && problem.detail) || `请求失败（HTTP ${status}）`);
    this.status = status;
    this.code = problem && problem.code;
  }
}

export async function call(method, path, { token, body, query } = {}) {
  const headers = { Accept: "application/json", "X-Client-Channel": "window" };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let url = path;
  if (query) url += "?" + new URLSearchParams(query).toString();
  const response = await fetch(url, {
    method, headers, body: body === undefined ? undefined : JSON.stringify(body),
    credentials: "same-origin", cache: "no-store",
  });
  const text = await response.text();
  const data = text ? JSON.parse(text) : null;
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

export function text(element, value) {
  element.textContent = value === null || value === undefined ? "" : String(value);
}

export function row(cells) {
  const tr = document.createElement("tr");
  for (const cell of cells) {
    const td = document.createElement("td");
    text(td, cell);
    tr.appendChild(td);
  }
  return tr;
}
