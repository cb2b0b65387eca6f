#!/usr/bin/env bash
# Runs ifcd with one command on a fresh machine that has Swift:
#   installs the PostgreSQL server binaries if missing, builds, creates a first admin on the
#   first start (its password is printed once), issues an 8-hour token for it, prints how to use
#   it, and runs `ifcd serve` on the embedded cluster in ./.ifcd (or $IFCD_DATA_DIR).
# Extra arguments go to `ifcd serve`, e.g. `bash Deploy/run.sh --port 9090`.
# IFCD_DEMO=1 loads the demo sample on the first start.
set -euo pipefail
cd "$(dirname "$0")/.."
. Deploy/lib.sh
ensure_swift
ensure_postgres

configuration="${IFCD_BUILD_CONFIGURATION:-release}"
swift build -c "$configuration" --product ifcd
bin="$(swift build -c "$configuration" --show-bin-path)/ifcd"
data="${IFCD_DATA_DIR:-.ifcd}"
port=8080
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
    if [ "${args[$i]}" = "--port" ] && [ $((i + 1)) -lt ${#args[@]} ]; then port="${args[$((i + 1))]}"; fi
done

password="$(head -c 18 /dev/urandom | base64 | tr '+/' '-_')"
set +e
printf '%s\n' "$password" | "$bin" user add admin --role admin --display-name "First administrator" --password-stdin --data-dir "$data"
status=$?
set -e
case "$status" in
    0) echo "First start: user 'admin' created with password: $password  (shown once; change it with PATCH /v1/users/{id})" ;;
    3) echo "User 'admin' exists already; issuing a new token for it." ;;
    *) exit "$status" ;;
esac
if [ "$status" = 0 ] && [ "${IFCD_DEMO:-}" = 1 ]; then
    "$bin" demo seed --data-dir "$data"
fi
token="$("$bin" token issue admin --ttl 8h --data-dir "$data")"

cat <<USAGE

ifcd will listen on http://127.0.0.1:$port  (data folder: $data)
An admin token, valid 8 hours:
  export IFCD_TOKEN=$token
  curl -s -H "Authorization: Bearer \$IFCD_TOKEN" http://127.0.0.1:$port/v1/me
  curl -s -H "Authorization: Bearer \$IFCD_TOKEN" http://127.0.0.1:$port/v1/users
Create an analyst:
  curl -s -H "Authorization: Bearer \$IFCD_TOKEN" -H 'Content-Type: application/json' \\
       -d '{"username":"analyst1","password":"a long passphrase here","roles":["analyst"]}' http://127.0.0.1:$port/v1/users
Sample registry data (a few hundred firearms, holders, events), into an empty registry:
  $bin demo seed --data-dir $data        (or start with IFCD_DEMO=1 bash Deploy/run.sh)
The API document: http://127.0.0.1:$port/openapi.json   Stop with Ctrl-C (the embedded PostgreSQL stops too).

USAGE
exec "$bin" serve --data-dir "$data" "$@"
