#!/usr/bin/env bash
# Runs the whole test suite: type checking, lint, prettier, unit and database
# tests (SQLite always; PostgreSQL when a connection is configured), and the
# end-to-end suite in headless Chromium. Installs what is missing first, and
# as root starts Keystone and Heat for the OpenStack provider's tests
# (scripts/openstack.sh), stopping them at the end if it started them.
#
# PostgreSQL: set BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING, e.g.
#   postgresql://postgres@127.0.0.1:5432
# Chromium: /usr/bin/chromium (Debian's package `chromium`), or CHROMIUM_PATH.
#
# `./scripts/test.sh --jest-only` runs the jest suites alone (CI runs them a
# second time that way, with PostgreSQL, after a whole run without it).
set -euo pipefail
jest_only=
case "${1:-}" in
  '') ;;
  --jest-only) jest_only=1 ;;
  *)
    echo "usage: $0 [--jest-only]" >&2
    exit 2
    ;;
esac
source "$(dirname "$0")/env.sh"
cloudstore_install
cloudstore_ensure_bubblewrap
cloudstore_ensure_openstack
cd "$CLOUDSTORE_ROOT"
cleanup() {
  if [ -n "${stop_e2e:-}" ]; then
    stop_e2e_stacks
  fi
  # Keystone and Heat, when this run started them
  if [ -n "${CLOUDSTORE_OPENSTACK_STARTED:-}" ]; then
    "$CLOUDSTORE_ROOT/scripts/openstack.sh" stop
  fi
}
trap cleanup EXIT
export BACKSTAGE_TEST_DISABLE_DOCKER=1

step() {
  echo
  echo "=== $* ==="
}

if [ -n "${BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING:-}" ]; then
  echo "PostgreSQL tests: ON (BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING is set)"
else
  echo "PostgreSQL tests: SKIPPED, only SQLite runs (set BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING to run them)"
fi

if [ -z "$jest_only" ]; then
  step "type check"
  yarn tsc

  step "lint"
  yarn lint:all

  step "prettier"
  yarn prettier:check
fi

step "unit and database tests"
CI=true yarn test

if [ -n "$jest_only" ]; then
  echo
  echo "All jest suites passed."
  exit 0
fi

step "end-to-end tests in headless Chromium"
cloudstore_ensure_chromium
# The e2e backend runs on a throw-away data folder. Stacks that the tests
# deploy keep running when the backend is killed (that is the local
# provider's design: a restarted backend takes them over); end them here so
# that no process outlives the run. E2E_DATA_DIR is relative to the repo, as
# in playwright.config.ts.
e2e_data="$CLOUDSTORE_ROOT/${E2E_DATA_DIR:-node_modules/.cache/e2e-data}"
stop_e2e_stacks() {
  local pid cwd
  for pid in $(ls /proc | grep -E '^[0-9]+$'); do
    cwd="$(readlink "/proc/$pid/cwd" 2>/dev/null)" || continue
    case "$cwd" in
      "$e2e_data"/*) kill -TERM "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true ;;
    esac
  done
}
stop_e2e_stacks
rm -rf "$e2e_data"
stop_e2e=1
CI=true yarn test:e2e
echo
echo "All tests passed."
