#!/usr/bin/env bash
# Validates docs/openapi.json with two OpenAPI validators from the npm
# registry (test tools only, pinned in tests/openapi/package-lock.json):
# @seriousme/openapi-schema-validator checks it against the official OpenAPI
# 3.1 schema, and `redocly lint` against its recommended rules. Run by ctest
# (OpenApiValidates) and so by scripts/test.sh.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tools="$root/tests/openapi"
spec="$root/docs/openapi.json"
# The machine reaches the npm registry only: no telemetry, no update check.
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true

if [ ! -x "$tools/node_modules/.bin/redocly" ] || [ ! -x "$tools/node_modules/.bin/validate-api" ]; then
  (cd "$tools" && npm ci --no-audit --no-fund --loglevel=error)
fi

echo "check-openapi: the OpenAPI 3.1 schema"
out=$("$tools/node_modules/.bin/validate-api" "$spec")
echo "$out"
grep -q '"valid": true' <<<"$out" || { echo "check-openapi: $spec does not validate" >&2; exit 1; }

echo "check-openapi: redocly lint"
(cd "$tools" && ./node_modules/.bin/redocly lint --config redocly.yaml "$spec")
