// The typed client: types generated from the committed OpenAPI snapshot
// (src/api.d.ts, by openapi-typescript), calls made with openapi-fetch.
import createClient from "openapi-fetch";
import type { components, paths } from "./api.js";

export type Api = ReturnType<typeof createClient<paths>>;
export type Problem = components["schemas"]["Problem"];

export function apiClient(baseUrl: string, token?: string, channel?: "miniprogram" | "app" | "kiosk" | "window"): Api {
  const headers: Record<string, string> = {};
  if (token !== undefined) headers["Authorization"] = `Bearer ${token}`;
  if (channel !== undefined) headers["X-Client-Channel"] = channel;
  return createClient<paths>({ baseUrl, headers });
}

/** The answer's data, or a thrown error naming the problem the server sent. */
export function ok<T, E>(result: { data?: T; error?: E; response: Response }, what: string): T {
  if (result.data === undefined) {
    throw new Error(`${what}: HTTP ${result.response.status} ${JSON.stringify(result.error)}`);
  }
  return result.data;
}

export function check(condition: boolean, message: string): void {
  if (!condition) throw new Error(`check failed: ${message}`);
}
