#!/usr/bin/env bash
# Build the hall pages' scripts (`make screens`, or `npm run screens` in
# clients/ts): compile screens/ts/*.ts with the pinned tsc (--strict) against
# the types generated from docs/openapi.snapshot.json, and copy openapi-fetch's
# ESM build (the version in clients/ts/package-lock.json) with its licence into
# vendor/. The output is committed in screens/static/, so `make run` and the
# browser test need no npm; `clients/check.sh client` (make client-check)
# builds into a temporary directory and fails if that differs from the
# committed files. Usage: screens/build.sh [output directory, default screens/static]
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-screens/static}"
bin=clients/ts/node_modules/.bin
package=clients/ts/node_modules/openapi-fetch
if [ ! -x "$bin/tsc" ] || [ ! -d "$package" ]; then
  echo "screens/build.sh: run \`npm ci\` in clients/ts first (make screens does)" >&2; exit 1
fi
"$bin/openapi-typescript" docs/openapi.snapshot.json -o clients/ts/src/api.d.ts --silent
"$bin/tsc" -p screens/ts/tsconfig.json --strict --outDir "$out"
version="$(node -p 'require("./clients/ts/node_modules/openapi-fetch/package.json").version')"
licence="$(node -p 'require("./clients/ts/node_modules/openapi-fetch/package.json").license')"
mkdir -p "$out/vendor"
{
  echo "// openapi-fetch $version ($licence licence, see openapi-fetch.LICENSE beside this file): its dist/index.mjs,"
  echo "// copied by screens/build.sh from the npm package pinned in clients/ts/package-lock.json (source-map line dropped)."
  grep -v '^//# sourceMappingURL=' "$package/dist/index.mjs"
} >"$out/vendor/openapi-fetch.js"
cp "$package/LICENSE" "$out/vendor/openapi-fetch.LICENSE"
