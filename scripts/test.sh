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
# The Slurm fine-tuning tests (test/e2e/finetune-slurm.test.ts) bring their clusters up with scripts/slurm/*.sh;
# here only check they can: as root with slurm-wlm (warning locally, an error in CI).
if [ "$(id -u)" != 0 ] || ! command -v slurmctld >/dev/null; then
  if [ -n "${CI:-}" ]; then echo "Slurm tests need root and slurm-wlm in CI" >&2; exit 1; fi
  echo "warning: not root or no slurm-wlm: the Slurm fine-tuning tests will be skipped" >&2
fi
npm run --silent build:web >/dev/null
exec npx vitest run "$@"
