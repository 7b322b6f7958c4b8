#!/usr/bin/env bash
# The README's test command (`npm test`): starts the real services the storage/queue suites use
# (PostgreSQL, Redis, an S3-compatible moto server — installed from Debian when missing and run as
# root), builds the web UI for the browser test, then runs the whole vitest suite.
# Extra arguments go to vitest (e.g. `npm test -- src/ml`).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${SAGEBRUSH_SKIP_SERVICES:-}" != "1" ]; then
  if services_env=$(bash scripts/ci/services.sh); then
    eval "$services_env"
  elif [ -n "${CI:-}" ]; then
    echo "test services failed to start (see messages above)" >&2
    exit 1
  else
    echo "warning: PostgreSQL/Redis/S3 test services are not available; their suites will be skipped" >&2
  fi
fi
npm run --silent build:web >/dev/null
exec npx vitest run "$@"
