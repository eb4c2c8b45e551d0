// The pages' API calls go through the generated TypeScript client: the paths,
// parameters, bodies and answers are typed from docs/openapi.snapshot.json
// (clients/ts/src/api.d.ts, by openapi-typescript), the calls are made by
// openapi-fetch. A drift between the pages and the document fails `tsc`.
import createClient from "./vendor/openapi-fetch.js";
export class ApiError extends Error {
    status;
    code;
    constructor(status, problem) {
        const detail = field(problem, "detail");
        super(detail ?? `请求失败（HTTP ${status}）`);
        this.status = status;
        this.code = field(problem, "code");
    }
}
function field(problem, name) {
    if (typeof problem !== "object" || problem === null || !(name in problem))
        return undefined;
    const value = Reflect.get(problem, name);
    return typeof value === "string" && value ? value : undefined;
}
/** A client for this origin; the pages are the hall's window channel. */
export function client(token) {
    const headers = { Accept: "application/json", "X-Client-Channel": "window" };
    if (token)
        headers["Authorization"] = `Bearer ${token}`;
    return createClient({ baseUrl: "", headers, credentials: "same-origin", cache: "no-store" });
}
/** The answer's data, or an ApiError carrying the problem's Chinese detail and code. */
export function data(result) {
    if (!result.response.ok || result.data === undefined)
        throw new ApiError(result.response.status, result.error);
    return result.data;
}
/** For calls whose answer the page does not read: only that it succeeded. */
export function done(result) {
    if (!result.response.ok)
        throw new ApiError(result.response.status, result.error);
}
