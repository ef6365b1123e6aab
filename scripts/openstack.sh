#!/usr/bin/env bash
# A small OpenStack for the tests of the OpenStack cloud provider: Keystone
# and Heat from Debian's packages, configured on loopback, on the MariaDB and
# RabbitMQ of the machine.
#
#   scripts/openstack.sh start    install what is missing, configure, start, wait until healthy
#   scripts/openstack.sh stop     stop what `start` started (Heat first, then Keystone)
#   scripts/openstack.sh status   exit 0 when Keystone and Heat answer
#   scripts/openstack.sh env      print the CLOUDSTORE_OPENSTACK_* variables the tests read
#
# `start` is idempotent: services that run are left alone, and the databases,
# keys and users are made once per state folder (CLOUDSTORE_OPENSTACK_STATE,
# default /var/lib/cloudstore-openstack). MariaDB and RabbitMQ are started
# only when they are down, and then stopped again by `stop`.
# Keystone listens on 127.0.0.1:5000, heat-api on 127.0.0.1:8004.
set -euo pipefail

STATE="${CLOUDSTORE_OPENSTACK_STATE:-/var/lib/cloudstore-openstack}"
KEYSTONE_PORT=5000
HEAT_PORT=8004
REGION=RegionOne
# Keystone's token lifetime in seconds (Keystone's own default).
TOKEN_EXPIRATION="${CLOUDSTORE_OPENSTACK_TOKEN_EXPIRATION:-3600}"
PACKAGES=(keystone heat-api heat-engine python3-openstackclient python3-heatclient
  uwsgi-core uwsgi-plugin-python3 python3-pymysql)
PY=/usr/bin/python3

log() {
  echo "[openstack] $*" >&2
}

die() {
  log "$*"
  exit 1
}

secret() {
  cat "$STATE/secrets/$1"
}

keystone_url() {
  echo "http://127.0.0.1:$KEYSTONE_PORT/v3"
}

# --- packages -------------------------------------------------------------

packages_missing() {
  local p
  for p in "${PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
      return 0
    fi
  done
  return 1
}

install_packages() {
  packages_missing || return 0
  [ "$(id -u)" = 0 ] || die "Keystone and Heat are not installed; run this script as root to install them"
  log "installing Keystone and Heat from Debian's packages (about 260 packages)"
  # Nothing may ask a question, and no package may start its service.
  debconf-set-selections <<'EOF'
keystone keystone/configure_db boolean false
keystone keystone/create-admin-tenant boolean false
keystone keystone/register-endpoint boolean false
heat-common heat/configure_db boolean false
heat-common heat/configure_ksat boolean false
heat-common heat/configure_rabbit boolean false
heat-common heat/configure_with_debconf boolean false
heat-api heat/configure_api-endpoint boolean false
EOF
  local own_policy=
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod +x /usr/sbin/policy-rc.d
    own_policy=1
  fi
  local rc=0
  {
    apt-get update -qq &&
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${PACKAGES[@]}" >"$STATE/log/apt.log" 2>&1
  } || rc=$?
  if [ -n "$own_policy" ]; then
    rm -f /usr/sbin/policy-rc.d
  fi
  [ "$rc" = 0 ] || die "apt-get failed; see $STATE/log/apt.log"
}

# --- MariaDB and RabbitMQ -----------------------------------------------------

mysql_root() {
  mysql -h 127.0.0.1 -P 3306 -u root --batch --skip-column-names "$@"
}

ensure_mariadb() {
  if mysql_root -e 'SELECT 1' >/dev/null 2>&1; then
    return 0
  fi
  log "starting MariaDB"
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd
  touch "$STATE/run/started-mariadb"
  wait_for "MariaDB" 60 mysql_root -e 'SELECT 1'
}

rabbitmq_up() {
  (exec 3<>/dev/tcp/127.0.0.1/5672) 2>/dev/null
}

ensure_rabbitmq() {
  if rabbitmq_up; then
    return 0
  fi
  log "starting RabbitMQ"
  rabbitmq-server -detached
  touch "$STATE/run/started-rabbitmq"
  wait_for "RabbitMQ" 120 rabbitmq_up
}

# wait_for NAME SECONDS COMMAND...: polls COMMAND every half second.
wait_for() {
  local name="$1" seconds="$2"
  shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      die "$name did not become ready within ${seconds}s (logs: $STATE/log)"
    fi
    sleep 0.5
  done
}

# --- configuration ------------------------------------------------------------

make_secrets() {
  mkdir -p "$STATE/secrets"
  chmod 700 "$STATE/secrets"
  local name
  for name in keystone-db heat-db admin heat heat-domain-admin cloudstore; do
    if [ ! -s "$STATE/secrets/$name" ]; then
      # Hex only: the passwords go into URLs and INI files unquoted.
      od -An -N16 -tx1 /dev/urandom | tr -d ' \n' >"$STATE/secrets/$name"
    fi
  done
}

write_config() {
  mkdir -p "$STATE/keystone" "$STATE/heat/lock"
  cat >"$STATE/keystone/keystone.conf" <<EOF
[DEFAULT]
log_file = $STATE/log/keystone.log
[database]
connection = mysql+pymysql://cloudstore_keystone:$(secret keystone-db)@127.0.0.1:3306/cloudstore_keystone
[token]
provider = fernet
expiration = $TOKEN_EXPIRATION
[fernet_tokens]
key_repository = $STATE/keystone/fernet-keys
[fernet_receipts]
key_repository = $STATE/keystone/fernet-keys
[credential]
key_repository = $STATE/keystone/credential-keys
EOF
  cat >"$STATE/heat/heat.conf" <<EOF
[DEFAULT]
transport_url = rabbit://guest:guest@127.0.0.1:5672/
log_dir = $STATE/log
num_engine_workers = 1
graceful_shutdown_timeout = 5
region_name_for_services = $REGION
stack_user_domain_name = heat
stack_domain_admin = heat_domain_admin
stack_domain_admin_password = $(secret heat-domain-admin)
heat_metadata_server_url = http://127.0.0.1:8000
heat_waitcondition_server_url = http://127.0.0.1:8000/v1/waitcondition
[database]
connection = mysql+pymysql://cloudstore_heat:$(secret heat-db)@127.0.0.1:3306/cloudstore_heat
[keystone_authtoken]
www_authenticate_uri = $(keystone_url)
auth_url = http://127.0.0.1:$KEYSTONE_PORT
auth_type = password
username = heat
password = $(secret heat)
project_name = service
user_domain_name = Default
project_domain_name = Default
# Validate every token: a revoked one is refused at once, as the provider's
# re-authentication test needs, rather than after the cache's 5 minutes.
token_cache_time = -1
[trustee]
auth_type = password
auth_url = http://127.0.0.1:$KEYSTONE_PORT
username = heat
password = $(secret heat)
user_domain_name = Default
[clients_keystone]
auth_uri = http://127.0.0.1:$KEYSTONE_PORT
[heat_api]
bind_host = 127.0.0.1
bind_port = $HEAT_PORT
workers = 1
[oslo_concurrency]
lock_path = $STATE/heat/lock
[paste_deploy]
api_paste_config = /etc/heat/api-paste.ini
EOF
  chmod 600 "$STATE/keystone/keystone.conf" "$STATE/heat/heat.conf"
}

# Databases, keys and users, once per state folder. Without the stamp the
# databases are made anew, so that a half-finished earlier run cannot leave
# duplicates behind.
bootstrap() {
  if [ -f "$STATE/bootstrapped" ]; then
    return 0
  fi
  log "creating the databases, keys and users"
  local name
  for name in keystone heat; do
    mysql_root <<EOF
DROP DATABASE IF EXISTS cloudstore_$name;
CREATE DATABASE cloudstore_$name;
CREATE USER IF NOT EXISTS 'cloudstore_$name'@'127.0.0.1';
CREATE USER IF NOT EXISTS 'cloudstore_$name'@'localhost';
ALTER USER 'cloudstore_$name'@'127.0.0.1' IDENTIFIED BY '$(secret $name-db)';
ALTER USER 'cloudstore_$name'@'localhost' IDENTIFIED BY '$(secret $name-db)';
GRANT ALL PRIVILEGES ON cloudstore_$name.* TO 'cloudstore_$name'@'127.0.0.1';
GRANT ALL PRIVILEGES ON cloudstore_$name.* TO 'cloudstore_$name'@'localhost';
EOF
  done
  local kconf=(--config-file "$STATE/keystone/keystone.conf")
  exec 4>&1 5>&2 >>"$STATE/log/bootstrap.log" 2>&1
  rm -rf "$STATE/keystone/fernet-keys" "$STATE/keystone/credential-keys"
  mkdir -p "$STATE/keystone/fernet-keys" "$STATE/keystone/credential-keys"
  keystone-manage "${kconf[@]}" db_sync
  keystone-manage "${kconf[@]}" fernet_setup --keystone-user root --keystone-group root
  keystone-manage "${kconf[@]}" credential_setup --keystone-user root --keystone-group root
  keystone-manage "${kconf[@]}" bootstrap \
    --bootstrap-password "$(secret admin)" \
    --bootstrap-admin-url "$(keystone_url)" \
    --bootstrap-internal-url "$(keystone_url)" \
    --bootstrap-public-url "$(keystone_url)" \
    --bootstrap-region-id "$REGION"
  heat-manage --config-file "$STATE/heat/heat.conf" db_sync
  exec 1>&4 2>&5 4>&- 5>&-
  rm -f "$STATE/users-created"
}

admin_env() {
  env OS_AUTH_URL="$(keystone_url)" OS_IDENTITY_API_VERSION=3 \
    OS_USERNAME=admin OS_PASSWORD="$(secret admin)" OS_PROJECT_NAME=admin \
    OS_USER_DOMAIN_NAME=Default OS_PROJECT_DOMAIN_NAME=Default "$@"
}

# Users, projects, roles and the orchestration endpoints; needs Keystone up.
# One `openstack` process reads all the commands (much faster than one
# process each); its batch mode splits arguments at spaces, so none has one.
create_users() {
  if [ -f "$STATE/users-created" ]; then
    return 0
  fi
  log "creating the heat service user and domain, and the cloudstore project and user"
  local heat_url="http://127.0.0.1:$HEAT_PORT/v1/%(tenant_id)s"
  admin_env openstack >"$STATE/log/users.log" 2>&1 <<EOF
project create --or-show --domain default service
user create --or-show --domain default --password $(secret heat) heat
role add --project service --user heat admin
role create --or-show heat_stack_owner
role create --or-show heat_stack_user
domain create --or-show heat
user create --or-show --domain heat --password $(secret heat-domain-admin) heat_domain_admin
role add --domain heat --user-domain heat --user heat_domain_admin admin
service create --name heat orchestration
endpoint create --region $REGION orchestration public $heat_url
endpoint create --region $REGION orchestration internal $heat_url
endpoint create --region $REGION orchestration admin $heat_url
project create --or-show --domain default cloudstore
user create --or-show --domain default --password $(secret cloudstore) cloudstore
role add --project cloudstore --user cloudstore member
EOF
  # Asked a few times: on a loaded machine one listing can fail on its own.
  local try
  for try in 1 2 3 4 5; do
    if admin_env openstack endpoint list --service orchestration -f value -c URL \
      2>>"$STATE/log/users.log" | grep -q "$HEAT_PORT"; then
      break
    fi
    [ "$try" -lt 5 ] ||
      die "the orchestration endpoints were not created; see $STATE/log/users.log"
    sleep 3
  done
  touch "$STATE/users-created" "$STATE/bootstrapped"
}

# --- processes ------------------------------------------------------------------

# running NAME: the process of pid file NAME.pid runs (and is what we started).
running() {
  local pidfile="$STATE/run/$1.pid" pid
  [ -s "$pidfile" ] || return 1
  pid="$(cat "$pidfile")"
  [ -d "/proc/$pid" ] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "$2"
}

# spawn NAME MARKER COMMAND...: starts COMMAND in its own session, logs to
# NAME.out, pid in NAME.pid. MARKER is a word of its command line.
spawn() {
  local name="$1" marker="$2"
  shift 2
  if running "$name" "$marker"; then
    return 0
  fi
  log "starting $name"
  setsid "$@" </dev/null >>"$STATE/log/$name.out" 2>&1 &
  echo $! >"$STATE/run/$name.pid"
}

keystone_up() {
  curl -fs -o /dev/null --max-time 5 "$(keystone_url)"
}

# A token of the cloudstore user and the list of its stacks: Keystone,
# heat-api and heat-engine (which answers the list over RabbitMQ) all work.
heat_up() {
  local headers project
  headers="$(curl -fsS --max-time 5 -D - -o "$STATE/run/token.json" -H 'Content-Type: application/json' \
    -d "{\"auth\":{\"identity\":{\"methods\":[\"password\"],\"password\":{\"user\":{\"name\":\"cloudstore\",\"domain\":{\"name\":\"Default\"},\"password\":\"$(secret cloudstore)\"}}},\"scope\":{\"project\":{\"name\":\"cloudstore\",\"domain\":{\"name\":\"Default\"}}}}}" \
    "$(keystone_url)/auth/tokens")" || return 1
  project="$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["token"]["project"]["id"])' "$STATE/run/token.json")"
  curl -fsS -o /dev/null --max-time 30 \
    -H "X-Auth-Token: $(echo "$headers" | tr -d '\r' | sed -n 's/^[Xx]-[Ss]ubject-[Tt]oken: //p')" \
    "http://127.0.0.1:$HEAT_PORT/v1/$project/stacks"
}

start() {
  local started=$SECONDS
  mkdir -p "$STATE/log" "$STATE/run"
  install_packages
  ensure_mariadb
  ensure_rabbitmq
  make_secrets
  write_config
  bootstrap
  spawn keystone keystone-wsgi-public \
    uwsgi --plugin python3 --http-socket "127.0.0.1:$KEYSTONE_PORT" \
    --wsgi-file /usr/bin/keystone-wsgi-public --master --processes 2 --threads 1 \
    --die-on-term --add-header 'Connection: close' --env "OS_KEYSTONE_CONFIG_DIR=$STATE/keystone"
  wait_for Keystone 60 keystone_up
  create_users
  spawn heat-engine heat-engine heat-engine --config-file "$STATE/heat/heat.conf"
  spawn heat-api heat-api heat-api --config-file "$STATE/heat/heat.conf"
  wait_for Heat 120 heat_up
  log "Keystone and Heat are up ($((SECONDS - started)) s)"
}

# stop_one NAME MARKER: TERM, and KILL after 30 s.
stop_one() {
  local name="$1" marker="$2" pid
  if running "$name" "$marker"; then
    pid="$(cat "$STATE/run/$name.pid")"
    log "stopping $name"
    kill -TERM "$pid" 2>/dev/null || true
    local deadline=$((SECONDS + 30))
    while [ -d "/proc/$pid" ] && [ "$SECONDS" -lt "$deadline" ]; do
      sleep 0.2
    done
    if [ -d "/proc/$pid" ]; then
      kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  rm -f "$STATE/run/$name.pid"
}

stop() {
  local started=$SECONDS
  [ -d "$STATE/run" ] || return 0
  # Heat before RabbitMQ: heat-engine waits for it on the way down.
  stop_one heat-api heat-api
  stop_one heat-engine heat-engine
  stop_one keystone keystone-wsgi-public
  if [ -f "$STATE/run/started-rabbitmq" ]; then
    log "stopping RabbitMQ"
    rabbitmqctl -q stop >/dev/null 2>&1 || true
    rm -f "$STATE/run/started-rabbitmq"
  fi
  if [ -f "$STATE/run/started-mariadb" ]; then
    log "stopping MariaDB"
    start-stop-daemon --stop --oknodo --retry 30 --exec /usr/sbin/mariadbd >/dev/null
    rm -f "$STATE/run/started-mariadb"
  fi
  log "stopped ($((SECONDS - started)) s)"
}

status() {
  local ok=0
  if keystone_up; then log "Keystone: up on 127.0.0.1:$KEYSTONE_PORT"; else
    log "Keystone: down"
    ok=1
  fi
  if [ -f "$STATE/bootstrapped" ] && heat_up 2>/dev/null; then log "Heat: up on 127.0.0.1:$HEAT_PORT"; else
    log "Heat: down"
    ok=1
  fi
  return $ok
}

print_env() {
  [ -f "$STATE/bootstrapped" ] || die "not set up; run: $0 start"
  cat <<EOF
export CLOUDSTORE_OPENSTACK_AUTH_URL=$(keystone_url)
export CLOUDSTORE_OPENSTACK_REGION=$REGION
export CLOUDSTORE_OPENSTACK_PROJECT=cloudstore
export CLOUDSTORE_OPENSTACK_DOMAIN=Default
export CLOUDSTORE_OPENSTACK_USERNAME=cloudstore
export CLOUDSTORE_OPENSTACK_PASSWORD=$(secret cloudstore)
EOF
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  env) print_env ;;
  *)
    echo "usage: $0 start|stop|status|env" >&2
    exit 2
    ;;
esac
