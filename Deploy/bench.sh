#!/usr/bin/env bash
# Throughput of ifcd against PostgreSQL doing the same SQL, measured on this machine in one run.
#
#   1. GET /v1/me through ifcd (HTTP, bearer-token lookup with a prepared statement, role set)
#      vs pgbench running that same token lookup, prepared, with as many clients.
#   2. GET /v1/users/{id} through ifcd (token lookup + user read + an audit entry committed
#      before the answer, batched across requests by the audit writer) vs pgbench doing the
#      naive thing per request: token lookup + read + INSERT of one audit row, each its own commit.
#   3. GET /health (HTTP only, no database) as the ceiling of the HTTP layer.
#
# Builds release, runs a throwaway data folder in /tmp, prints requests/s and the ratios.
# BENCH_CONNECTIONS (default 32) and BENCH_SECONDS (default 10) tune the runs.
set -euo pipefail
cd "$(dirname "$0")/.."
. Deploy/lib.sh
ensure_swift
ensure_postgres
if ! command -v wrk >/dev/null 2>&1 || ! command -v pgbench >/dev/null 2>&1; then
    install_packages "wrk postgresql-client postgresql-contrib" "wrk postgresql postgresql-contrib" "wrk postgresql@15" >&2 ||
        { echo "bench: install wrk and pgbench" >&2; exit 1; }
fi
connections="${BENCH_CONNECTIONS:-32}"
seconds="${BENCH_SECONDS:-10}"
port="${BENCH_PORT:-18181}"

swift build -c release --product ifcd >/dev/null
bin="$(swift build -c release --show-bin-path)/ifcd"
dir="$(mktemp -d /tmp/ifcd-bench.XXXXXX)"
chmod 711 "$dir"
serve_pid=""
cleanup() {
    if [ -n "$serve_pid" ]; then kill -TERM "$serve_pid" 2>/dev/null || true; wait "$serve_pid" 2>/dev/null || true; fi
    rm -rf "$dir"
}
trap cleanup EXIT

printf '%s\n' 'bench passphrase 0123' | "$bin" user add bench --role admin --role analyst --password-stdin --data-dir "$dir" >/dev/null
token="$("$bin" token issue bench --ttl 1h --data-dir "$dir")"
IFCD_LOG_LEVEL=warning "$bin" serve --data-dir "$dir" --port "$port" >"$dir/serve.log" 2>&1 &
serve_pid=$!
for _ in $(seq 1 300); do
    curl -sf "http://127.0.0.1:$port/ready" >/dev/null 2>&1 && break
    sleep 0.1
done
curl -sf "http://127.0.0.1:$port/ready" >/dev/null || { echo "bench: ifcd did not become ready" >&2; cat "$dir/serve.log" >&2; exit 1; }
user_id="$(curl -sf -H "Authorization: Bearer $token" "http://127.0.0.1:$port/v1/me" | sed -E 's/.*"id":"([^"]+)".*/\1/')"

pg_port="$(sed -n 4p "$dir/pgdata/postmaster.pid")"
app_password="$(sed -E 's/.*"app":"([^"]+)".*/\1/' "$dir/secrets.json")"
token_hash="$(printf '%s' "$token" | sha256sum | cut -d' ' -f1)"
lookup="SELECT t.id, u.id, u.username, u.roles FROM auth_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = '\\x$token_hash'::bytea AND t.revoked_at IS NULL AND t.expires_at > now() AND NOT u.disabled;"
printf '%s\n' "$lookup" >"$dir/lookup.sql"
cat >"$dir/audited-read.sql" <<SQL
BEGIN;
$lookup
SELECT id, username, display_name, roles, disabled, locked_until, version, created_at, updated_at FROM users WHERE id = '$user_id';
INSERT INTO audit_entries (actor, actor_id, roles, action, record_type, record_id, request_id, outcome) VALUES ('bench', '$user_id', '{admin}', 'user.read', 'user', '$user_id', 'pgbench', 'success');
COMMIT;
SQL

wrk_rps() { # path
    wrk -t2 -c"$connections" -d"${seconds}s" -H "Authorization: Bearer $token" "http://127.0.0.1:$port$1" \
        | awk '/Requests\/sec/ {print $2} /Non-2xx/ {print "non-2xx: " $0 > "/dev/stderr"}'
}
pgbench_tps() { # script
    PGPASSWORD="$app_password" pgbench -n -M prepared -c "$connections" -j 2 -T "$seconds" \
        -h "$dir/run" -p "$pg_port" -U ifcd_app -f "$1" ifcd 2>/dev/null \
        | awk '/^tps/ {print $3; exit}'
}

wrk -t2 -c"$connections" -d2s -H "Authorization: Bearer $token" "http://127.0.0.1:$port/v1/me" >/dev/null   # warm-up
me="$(wrk_rps /v1/me)"
lookup_tps="$(pgbench_tps "$dir/lookup.sql")"
read="$(wrk_rps "/v1/users/$user_id")"
read_tps="$(pgbench_tps "$dir/audited-read.sql")"
health="$(wrk_rps /health)"
entries="$("$bin" audit verify --data-dir "$dir" || true)"

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
cat <<REPORT
ifcd bench: $connections connections, ${seconds}s each, $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ)
| what | per second | ratio |
| --- | --- | --- |
| pgbench: token lookup (prepared) | $lookup_tps | 1.00 (baseline) |
| ifcd: GET /v1/me | $me | $(ratio "$me" "$lookup_tps") of the lookup |
| pgbench: lookup + read + audit INSERT, commit per read | $read_tps | 1.00 (baseline) |
| ifcd: GET /v1/users/{id}, audited (group commit) | $read | $(ratio "$read" "$read_tps") of commit-per-read |
| ifcd: GET /health (no database) | $health | $(ratio "$health" "$lookup_tps") of the lookup |
audit verify afterwards: $entries
REPORT
