#!/usr/bin/env bash
# Issue 15's levers, A/B on the same data in one run: each given ifcd binary serves the same data
# folder in turn; wrk drives its hot reads, and pgbench -M prepared runs the naive same SQL (token
# lookup, the read, one audit INSERT, one commit; the lookup alone for /v1/me) right after, on the
# same data, so each figure comes with its own baseline. Prints one table per binary and route:
# API req/s, pgbench tps, their ratio, and CPU per request from /proc (PostgreSQL's, all its
# processes, for the API's request and for pgbench's transaction; and ifcd's): CPU time does not
# depend on what else the machine runs the way throughput does.
#
#   bash Deploy/bench/hotpath-ab.sh LABEL=BINARY[@CONFIG.json] ...
#   e.g. base=/tmp/ifcd-base l1=/tmp/ifcd-l1 base=/tmp/ifcd-base l1=/tmp/ifcd-l1
#
# Give binaries oldest schema first: a binary refuses a database migrated by a newer one, so an
# A/B of two schemas runs A, B (and an A/B within one schema may repeat: A B A B).
# Env: BENCH_FIREARMS (100000), BENCH_SECONDS (8), BENCH_CONNECTIONS (16), BENCH_PORT (18283),
#      BENCH_ROUTES ("get me exact pattern"), BENCH_PERF (set: each binary's wrk run of each route is
#      sampled with `perf record -g`, and the hottest symbols of ifcd, demangled, are printed at the
#      end: self time, then with callees, and a summary by library).
set -euo pipefail
cd "$(dirname "$0")/../.."
firearms="${BENCH_FIREARMS:-100000}"
seconds="${BENCH_SECONDS:-8}"
connections="${BENCH_CONNECTIONS:-16}"
port="${BENCH_PORT:-18283}"
routes="${BENCH_ROUTES:-get me exact pattern}"
[ $# -ge 1 ] || { sed -n 2,14p "$0" >&2; exit 2; }
dir="$(mktemp -d /tmp/ifcd-ab.XXXXXX)"
chmod 711 "$dir"
data="$dir/d"
serve_pid=""
log() { echo "ab: $*" >&2; }
. Deploy/bench/common.sh
trap cleanup EXIT
start_serve() { # binary [config]
    local args=(serve --data-dir "$data" --port "$port")
    [ -n "${2:-}" ] && args+=(--config "$2")
    IFCD_LOG_LEVEL=warning "$1" "${args[@]}" >>"$dir/serve.log" 2>&1 &
    serve_pid=$!
    for _ in $(seq 1 600); do curl -sf "http://127.0.0.1:$port/ready" >/dev/null 2>&1 && return 0; sleep 0.1; done
    log "ifcd did not become ready"; tail -20 "$dir/serve.log" >&2; exit 1
}

first="${1#*=}"; first="${first%@*}"
printf '%s\n' 'bench passphrase 0123' | "$first" user add bench --role clerk --role analyst --role bulk_reader \
    --password-stdin --data-dir "$data" >/dev/null
start_serve "$first"
pg_port="$(sed -n 4p "$data/pgdata/postmaster.pid")"
owner_password="$(sed -E 's/.*"owner":"([^"]+)".*/\1/' "$data/secrets.json")"
app_password="$(sed -E 's/.*"app":"([^"]+)".*/\1/' "$data/secrets.json")"
sql() { PGPASSWORD="$owner_password" psql -X -q -v ON_ERROR_STOP=1 -h "$data/run" -p "$pg_port" -U ifcd_owner -d ifcd "$@"; }

log "loading $firearms firearms"
bash Deploy/bench/generate-firearms.sh "$firearms" >"$dir/firearms.csv"
sql -c "CREATE TEMP TABLE s (make text, model text, type text, calibre text, serial text, country text, year int,
        import_country text, import_year int, importer text)" \
    -c "\\copy s FROM '$dir/firearms.csv' WITH (FORMAT csv, HEADER true)" \
    -c "INSERT INTO firearms (id, reference, make, model, type, calibre, serial_marked, serial_normalized, serial_folded,
            country_of_manufacture, year_of_manufacture, import_country, import_year, importer, record_origin)
        SELECT gen_random_uuid(), 'FA-' || lpad((row_number() OVER ())::text, 7, '0'), make, model, type, calibre, serial, n,
               translate(n, 'OILSBZ', '011582'), country, year, import_country, import_year, importer, 'lawful'
        FROM (SELECT *, upper(regexp_replace(serial, '[^A-Za-z0-9]', '', 'g')) AS n FROM s) s" >/dev/null
firearm_id="$(sql -At -c "SELECT id FROM firearms ORDER BY reference OFFSET $((firearms / 2)) LIMIT 1")"
# The firearm read is of a licensed firearm (two audit entries: the firearm and its licence).
sql -c "INSERT INTO holders (id, reference, kind, name, id_number, country) VALUES ('00000000-0000-4000-8000-000000000001', 'HO-9000001', 'person', 'Bench Holder', 'ID1', 'JM')" \
    -c "INSERT INTO licences (id, number, holder_id, kind, issuing_authority, valid_from, valid_until)
        VALUES ('00000000-0000-4000-8000-000000000002', 'LIC-BENCH-1', '00000000-0000-4000-8000-000000000001', 'possession', 'Bench', current_date - 10, current_date + 365)" \
    -c "INSERT INTO licence_firearms (licence_id, firearm_id) VALUES ('00000000-0000-4000-8000-000000000002', '$firearm_id')" \
    -c "VACUUM ANALYZE firearms, holders, licences, licence_firearms" >/dev/null
serial="$(sql -At -c "SELECT serial_normalized FROM firearms WHERE id = '$firearm_id'")"
pattern="${serial:0:1}?${serial:2:5}*"
like="$(printf '%s' "$pattern" | tr '?*' '_%')"
bare="$(printf '%s' "$pattern" | tr -d '?*')"
token="$("$first" token issue bench --ttl 4h --data-dir "$data")"
user_id="$(sql -At -c "SELECT id FROM users WHERE username = 'bench'")"
token_hash="$(printf '%s' "$token" | sha256sum | cut -d' ' -f1)"
lookup="SELECT t.id, u.id, u.username, u.roles FROM auth_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = '\\x$token_hash'::bytea AND t.revoked_at IS NULL AND t.expires_at > now() AND NOT u.disabled;"
audit_insert="INSERT INTO audit_entries (actor, actor_id, roles, action, record_type, record_id, request_id, outcome) VALUES ('bench', '$user_id', '{clerk,analyst}', 'firearm.read', 'firearm', '$firearm_id', 'pgbench', 'success');"
printf 'BEGIN;\n%s\nSELECT * FROM firearms WHERE id = %s;\nSELECT l.* FROM licences l JOIN licence_firearms lf ON lf.licence_id = l.id WHERE lf.firearm_id = %s;\n%s\nCOMMIT;\n' \
    "$lookup" "'$firearm_id'" "'$firearm_id'" "$audit_insert" >"$dir/get.sql"
printf '%s\n' "$lookup" >"$dir/me.sql"
printf 'BEGIN;\n%s\nSELECT * FROM firearms WHERE serial_normalized = %s ORDER BY reference LIMIT 51;\n%s\nCOMMIT;\n' \
    "$lookup" "'$serial'" "$audit_insert" >"$dir/exact.sql"
printf "BEGIN;\n%s\nSELECT * FROM firearms WHERE serial_normalized LIKE '%s' ORDER BY (serial_normalized = '%s') DESC, similarity(serial_normalized, '%s') DESC, reference LIMIT 20;\n%s\nCOMMIT;\n" \
    "$lookup" "$like" "$bare" "$bare" "$audit_insert" >"$dir/pattern.sql"
path_of() {
    case "$1" in
        get) echo "/v1/firearms/$firearm_id" ;;
        me) echo "/v1/me" ;;
        exact) echo "/v1/firearms?serial=$serial" ;;
        pattern) echo "/v1/firearms/search?serial=$pattern&limit=20" ;;
    esac
}
pg_ticks() { local pm; pm="$(sed -n 1p "$data/pgdata/postmaster.pid")"; ticks "$pm" $(pgrep -P "$pm"); }
us_per() { awk -v t="$1" -v n="$2" -v hz="$hz" 'BEGIN { if (n > 0) printf "%.0f", t * 1e6 / hz / n; else print "-" }'; }
profile() { # label route: perf samples of ifcd for the length of a wrk run (BENCH_PERF)
    [ -n "${BENCH_PERF:-}" ] || return 0
    perf record -F 999 -g -p "$serve_pid" -o "$dir/perf-$1-$2.data" -- sleep "$seconds" >/dev/null 2>&1 &
    perf_pid=$!
}
perf_report() { # label route
    local f="$dir/perf-$1-$2.data"
    [ -s "$f" ] || return 0
    { # (pipes end early at head: no pipefail here)
    set +o pipefail
    echo; echo "### ifcd profile: $1, $2 (perf, $(perf report -i "$f" --stdio 2>/dev/null | sed -n 's/^# Samples: \([^ ]*\).*/\1/p' | head -1) samples)"; echo
    echo "By library (self time):"; echo; echo '```'
    perf report -i "$f" --no-children -g none --sort dso --stdio 2>/dev/null | grep -E '^ +[0-9]' | head -12
    echo '```'; echo; echo "Self time, hottest 30 symbols:"; echo; echo '```'
    perf report -i "$f" --no-children -g none --sort dso,symbol --stdio 2>/dev/null | grep -E '^ +[0-9]' | head -30 \
        | swift demangle --simplified | sed -E 's/ {2,}/  /g' | cut -c1-160
    echo '```'; echo; echo "With callees (inclusive), hottest 40 symbols:"; echo; echo '```'
    perf report -i "$f" --children -g none --sort symbol --stdio 2>/dev/null | grep -E '^ +[0-9]' | head -40 \
        | swift demangle --simplified | sed -E 's/ {2,}/  /g' | cut -c1-160
    echo '```'
    set -o pipefail
    } || true
}
wrk_run() { # path -> rps requests non2xx pg_ticks ifcd_ticks
    local pg0 if0
    pg0="$(pg_ticks)"; if0="$(ticks "$serve_pid")"
    wrk -t2 -c"$connections" -d"${seconds}s" -H "Authorization: Bearer $token" "http://127.0.0.1:$port$1" >"$dir/wrk.out"
    echo "$(awk '/requests in/ {n=$1} /Requests\/sec/ {rps=$2} /Non-2xx/ {bad=$NF} END {printf "%.0f %d %d", rps, n, bad + 0}' "$dir/wrk.out") \
$(( $(pg_ticks) - pg0 )) $(( $(ticks "$serve_pid") - if0 ))"
}
pgbench_run() { # script -> tps transactions pg_ticks
    local pg0; pg0="$(pg_ticks)"
    PGPASSWORD="$app_password" pgbench -n -M prepared -c "$connections" -j 2 -T "$seconds" \
        -h "$data/run" -p "$pg_port" -U ifcd_app -f "$1" ifcd >"$dir/pgbench.out" 2>"$dir/pgbench.err" || true
    echo "$(awk '/^tps/ {tps=$3} /actually processed/ {n=$NF} END {printf "%.0f %d", tps, n}' "$dir/pgbench.out") $(( $(pg_ticks) - pg0 ))"
}
stop_serve

echo "| binary | route | API req/s | non-2xx | pgbench tps | ratio | PostgreSQL CPU µs per API request | per pgbench transaction | ifcd CPU µs per request |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"
for spec in "$@"; do
    label="${spec%%=*}"; rest="${spec#*=}"; binary="${rest%@*}"; config=""
    [ "$rest" != "$binary" ] && config="${rest#*@}"
    log "$label: $binary ${config:+(config $config)} — load: $(cut -d' ' -f1-3 /proc/loadavg)"
    start_serve "$binary" "$config"
    pg_port="$(sed -n 4p "$data/pgdata/postmaster.pid")"
    wrk -t2 -c"$connections" -d2s -H "Authorization: Bearer $token" "http://127.0.0.1:$port$(path_of get)" >/dev/null  # warm-up
    for route in $routes; do
        profile "$label" "$route"
        read -r rps requests bad pg_api ifcd_api < <(wrk_run "$(path_of "$route")")
        if [ -n "${perf_pid:-}" ]; then wait "$perf_pid" 2>/dev/null || true; perf_pid=""; fi
        read -r tps transactions pg_bench < <(pgbench_run "$dir/$route.sql")
        [ "${tps:-0}" != 0 ] || { log "pgbench failed for $route:"; cat "$dir/pgbench.err" >&2; tps=0; }
        echo "| $label | $route | $rps | $bad | $tps | $(awk -v a="$rps" -v b="$tps" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }') \
| $(us_per "$pg_api" "$requests") | $(us_per "$pg_bench" "$transactions") | $(us_per "$ifcd_api" "$requests") |"
    done
    # The read audit's group commit over the whole run of this binary (absent before issue 15's metrics).
    curl -s "http://127.0.0.1:$port/metrics" | awk -v label="$label" '
        /^ifcd_audit_batch_entries_count / {n=$2} /^ifcd_audit_batch_entries_sum / {e=$2}
        /^ifcd_audit_flush_seconds_sum / {f=$2} /^ifcd_audit_flushes_in_flight_sum / {i=$2}
        END { if (n > 0) printf "%s: %d audit batches, %.1f entries per batch, %.2f ms per flush, %.2f flushes in flight\n", label, n, e / n, f * 1000 / n, i / n }' \
        >>"$dir/audit.txt"
    stop_serve
done
if [ -s "$dir/audit.txt" ]; then echo; echo "Read audit group commit (from /metrics):"; echo; sed 's/^/- /' "$dir/audit.txt"; fi
for spec in "$@"; do for route in $routes; do perf_report "${spec%%=*}" "$route"; done; done
