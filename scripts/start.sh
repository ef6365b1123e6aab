#!/usr/bin/env bash
# Starts the whole store for development: the backend on :7007 and the app on
# :3000, with the demo organisation and catalog, on the embedded defaults
# (SQLite files under ./data, kept across restarts). Installs what is missing
# first (bubblewrap with apt when run as root). Stop with Ctrl-C.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cloudstore_install
cloudstore_ensure_bubblewrap
mkdir -p "$CLOUDSTORE_ROOT/data"
cd "$CLOUDSTORE_ROOT"
cloudstore_log "starting Cloud Store: app http://localhost:3000, backend http://localhost:7007"
exec yarn start "$@"
