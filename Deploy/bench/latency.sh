#!/usr/bin/env bash
# Latency at a fixed offered load, at scale (issue 15: exact serial p99 ≤ 5 ms and pattern search
# p99 ≤ 20 ms, at 1M and at 10M firearms). Generates BENCH_FIREARMS firearms (10,000,000 by
# default), loads them with `ifcd import firearms --initial` (its rate and peak RSS reported), then
# for the exact serial lookup and the pattern search: the maximum rate (wrk, BENCH_CONNECTIONS
# connections, 10 s), then half of it offered for BENCH_SECONDS (wrk paced per connection with
# delay(): p50 and p99), and pgbench -R at the same rate running the route's naive SQL (token lookup,
# the query, one audit INSERT, one commit), its p50 and p99 from its per-transaction log: the
# database's own latency at the same offered load, as the baseline.
#
#   BENCH_BIN=/path/to/release/ifcd bash Deploy/bench/latency.sh
# Env: BENCH_FIREARMS (10000000), BENCH_SECONDS (20), BENCH_CONNECTIONS (16), BENCH_PORT (18185),
#      BENCH_KEEP (keep the folder). Needs about 1.5 GB of disk per million firearms.
set -euo pipefail
cd "$(dirname "$0")/../.."
firearms="${BENCH_FIREARMS:-10000000}"
seconds="${BENCH_SECONDS:-20}"
connections="${BENCH_CONNECTIONS:-16}"
port="${BENCH_PORT:-18185}"
bin="${BENCH_BIN:?set BENCH_BIN to an ifcd release build}"
dir="$(mktemp -d /tmp/ifcd-latency.XXXXXX)"
chmod 711 "$dir"
data="$dir/d"
serve_pid=""
. Deploy/bench/common.sh
trap cleanup EXIT
log() { echo "latency: $* (load $(cut -d' ' -f1-3 /proc/loadavg))" >&2; }

log "generating $firearms firearms"
bash Deploy/bench/generate-firearms.sh "$firearms" >"$dir/firearms.csv"
printf '%s\n' 'bench passphrase 0123' | "$bin" user add bench --role clerk --role analyst --role bulk_reader --password-stdin --data-dir "$data" >/dev/null
IFCD_LOG_LEVEL=warning "$bin" serve --data-dir "$data" --port "$port" >"$dir/serve.log" 2>&1 &
serve_pid=$!
for _ in $(seq 1 600); do curl -sf "http://127.0.0.1:$port/ready" >/dev/null 2>&1 && break; sleep 0.1; done
pg_port="$(sed -n 4p "$data/pgdata/postmaster.pid")"
owner_password="$(sed -E 's/.*"owner":"([^"]+)".*/\1/' "$data/secrets.json")"
app_password="$(sed -E 's/.*"app":"([^"]+)".*/\1/' "$data/secrets.json")"
sql() { PGPASSWORD="$owner_password" psql -X -q -v ON_ERROR_STOP=1 -h "$data/run" -p "$pg_port" -U ifcd_owner -d ifcd "$@"; }

log "initial import"
start=$(now)
/usr/bin/time -f '%M' -o "$dir/import.rss" "$bin" import firearms "$dir/firearms.csv" --initial --data-dir "$data" \
    >"$dir/import.out" 2>"$dir/import.err" || { tail -3 "$dir/import.err" >&2; exit 1; }
import_seconds=$(elapsed "$start" "$(now)")
rm -f "$dir/firearms.csv"
log "waiting for the sealer"
for _ in $(seq 1 7200); do
    behind="$(sql -At -c "SELECT (SELECT max(seq) FROM audit_entries) - coalesce((SELECT max(coalesce(last_seq, entry_seq)) FROM audit_seals), 0)")"
    [ "$behind" = 0 ] && break
    sleep 1
done
sql -c "VACUUM ANALYZE firearms, audit_entries" >/dev/null

token="$("$bin" token issue bench --ttl 4h --data-dir "$data")"
firearm_id="$(sql -At -c "SELECT id FROM firearms WHERE reference = 'FA-' || lpad('$((firearms / 2))', 7, '0')")"
serial="$(sql -At -c "SELECT serial_normalized FROM firearms WHERE id = '$firearm_id'")"
pattern="${serial:0:1}?${serial:2:5}*"
like="$(printf '%s' "$pattern" | tr '?*' '_%')"
bare="$(printf '%s' "$pattern" | tr -d '?*')"
user_id="$(sql -At -c "SELECT id FROM users WHERE username = 'bench'")"
token_hash="$(printf '%s' "$token" | sha256sum | cut -d' ' -f1)"
lookup="SELECT t.id, u.id, u.username, u.roles FROM auth_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = '\\x$token_hash'::bytea AND t.revoked_at IS NULL AND t.expires_at > now() AND NOT u.disabled;"
audit="INSERT INTO audit_entries (actor, actor_id, roles, action, record_type, record_id, request_id, outcome) VALUES ('bench', '$user_id', '{clerk,analyst}', 'firearm.read', 'firearm', '$firearm_id', 'pgbench', 'success');"
printf 'BEGIN;\n%s\nSELECT * FROM firearms WHERE serial_normalized = %s ORDER BY reference LIMIT 51;\n%s\nCOMMIT;\n' \
    "$lookup" "'$serial'" "$audit" >"$dir/exact.sql"
printf "BEGIN;\n%s\nSELECT * FROM firearms WHERE serial_normalized LIKE '%s' ORDER BY (serial_normalized = '%s') DESC, similarity(serial_normalized, '%s') DESC, reference LIMIT 20;\n%s\nCOMMIT;\n" \
    "$lookup" "$like" "$bare" "$bare" "$audit" >"$dir/pattern.sql"
cat >"$dir/paced.lua" <<'LUA'
local gap = tonumber(os.getenv("PACE_MS") or "0")
function delay() return gap end
LUA

ms() { awk -v v="$1" 'BEGIN { if (v ~ /us$/) { sub(/us$/, "", v); printf "%.2f", v / 1000 } else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.2f", v } else if (v ~ /s$/) { sub(/s$/, "", v); printf "%.2f", v * 1000 } else print v }'; }
wrk_max() { # path -> rps
    wrk -t2 -c"$connections" -d10s -H "Authorization: Bearer $token" "http://127.0.0.1:$port$1" | awk '/Requests\/sec/ {print int($2)}'
}
wrk_paced() { # path rate -> rps p50 p99 non2xx
    local gap
    gap=$(awk -v c="$connections" -v r="$2" 'BEGIN { g = (r > 0) ? c * 1000 / r : 1000; printf "%d", (g < 1) ? 1 : g }')
    PACE_MS="$gap" wrk -t2 -c"$connections" -d"${seconds}s" --latency -H "Authorization: Bearer $token" -s "$dir/paced.lua" \
        "http://127.0.0.1:$port$1" >"$dir/wrk.out"
    awk '/^ +50%/ {p50=$2} /^ +99%/ {p99=$2} /Requests\/sec/ {rps=int($2)} /Non-2xx/ {bad=$NF} END {print rps, p50, p99, bad + 0}' "$dir/wrk.out"
}
pgbench_paced() { # script rate -> tps p50 p99 (ms, from the per-transaction log)
    rm -f "$dir"/pgbench_log.*
    (cd "$dir" && PGPASSWORD="$app_password" pgbench -n -M prepared -c "$connections" -j 2 -T "$seconds" -R "$2" -l \
        -h "$data/run" -p "$pg_port" -U ifcd_app -f "$1" ifcd >"$dir/pgbench.out" 2>"$dir/pgbench.err") || true
    local tps; tps="$(awk '/^tps/ {print int($3)}' "$dir/pgbench.out")"
    cat "$dir"/pgbench_log.* 2>/dev/null | awk '{print $3}' | sort -n | awk -v tps="${tps:-0}" '
        { v[NR] = $1 } END { if (NR == 0) { print tps, "-", "-"; exit } printf "%s %.2f %.2f\n", tps, v[int(NR * 0.5) + 1] / 1000, v[int(NR * 0.99) + 1] / 1000 }'
}

rows=()
for route in exact pattern; do
    case "$route" in
        exact) path="/v1/firearms?serial=$serial"; target=5 ;;
        pattern) path="/v1/firearms/search?serial=$pattern&limit=20"; target=20 ;;
    esac
    log "$route: maximum"
    max="$(wrk_max "$path")"
    offered=$((max / 2))
    log "$route: $offered/s offered"
    read -r rps p50 p99 bad < <(wrk_paced "$path" "$offered")
    read -r tps pg50 pg99 < <(pgbench_paced "$dir/$route.sql" "$offered")
    met="$(awk -v v="$(ms "$p99")" -v t="$target" 'BEGIN { print (v <= t) ? "met" : "NOT met" }')"
    rows+=("| $route | $max/s | $offered/s | $rps/s (non-2xx $bad) | $(ms "$p50") ms | $(ms "$p99") ms | $tps/s: p50 $pg50 ms, p99 $pg99 ms | p99 ≤ $target ms: $met |")
done

import_rate=$(awk -v n="$firearms" -v s="$import_seconds" 'BEGIN { printf "%.0f", n / s }')
echo "latency at a fixed offered load: $firearms firearms, $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ), $connections connections, ${seconds}s per run, load before the runs $(cut -d' ' -f1-3 /proc/loadavg)"
echo "initial import: $import_rate rows/s (${import_seconds}s; CLI peak RSS $(awk '{ printf "%.0f", $1 / 1024 }' "$dir/import.rss") MB): $(head -1 "$dir/import.out" | head -c 160)"
echo "pattern $pattern; plan: $(sql -At -c "EXPLAIN (COSTS OFF) SELECT id FROM firearms WHERE serial_normalized LIKE '$like' ORDER BY reference LIMIT 20" | tr '\n' ' ' | head -c 200)"
echo
echo "| route | maximum (wrk) | offered (half) | achieved | p50 | p99 | pgbench -R at the same rate (naive same SQL) | target |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
printf '%s\n' "${rows[@]}"
