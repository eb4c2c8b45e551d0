// The browser loads openapi-fetch from ./vendor/openapi-fetch.js (its ESM
// build, copied there by screens/build.sh); the types are the package's own,
// from clients/ts/node_modules (tsconfig.json maps the name).
export { default } from "openapi-fetch";
export * from "openapi-fetch";
