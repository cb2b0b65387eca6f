#!/usr/bin/env bash
# PostgreSQL's side of the hot reads: for each route, wrk drives the API and pg_stat_statements
# (loaded into the embedded cluster for this run, with track_planning) says which statements each
# request cost, how often, and how long each ran and was planned, per API request. The
# PostgreSQL backends' CPU per request comes from /proc. It is how the typed-null and
# prepared-statement levers of stop 21 were found (Deploy/RESULTS.md).
#
#   BENCH_BIN=<release ifcd> bash Deploy/bench/statements.sh
# Env: BENCH_FIREARMS (100000), BENCH_SECONDS (8), BENCH_CONNECTIONS (16), BENCH_PORT (18383),
#      BENCH_ROUTES ("get exact pattern case exhibit").
set -euo pipefail
cd "$(dirname "$0")/../.."
bin="${BENCH_BIN:?set BENCH_BIN to an ifcd release build}"
firearms="${BENCH_FIREARMS:-100000}"
seconds="${BENCH_SECONDS:-8}"
connections="${BENCH_CONNECTIONS:-16}"
port="${BENCH_PORT:-18383}"
routes="${BENCH_ROUTES:-get exact pattern case exhibit}"
dir="$(mktemp -d /tmp/ifcd-statements.XXXXXX)"
chmod 711 "$dir"
data="$dir/d"
serve_pid=""
log() { echo "statements: $*" >&2; }
. Deploy/bench/common.sh
trap cleanup EXIT
start_serve() {
    IFCD_LOG_LEVEL=warning "$bin" serve --data-dir "$data" --port "$port" >>"$dir/serve.log" 2>&1 &
    serve_pid=$!
    for _ in $(seq 1 600); do curl -sf "http://127.0.0.1:$port/ready" >/dev/null 2>&1 && break; sleep 0.1; done
    curl -sf "http://127.0.0.1:$port/ready" >/dev/null || { log "ifcd did not become ready"; tail -20 "$dir/serve.log" >&2; exit 1; }
    pg_port="$(sed -n 4p "$data/pgdata/postmaster.pid")"
}
printf '%s\n' 'bench passphrase 0123' | "$bin" user add bench --clearance restricted --role clerk --role analyst --role examiner --role bulk_reader --role evidence_officer \
    --password-stdin --data-dir "$data" >/dev/null
start_serve
password() { sed -E "s/.*\"$1\":\"([^\"]+)\".*/\\1/" "$data/secrets.json"; }
sql() { PGPASSWORD="$(password owner)" psql -X -q -v ON_ERROR_STOP=1 -h "$data/run" -p "$pg_port" -U ifcd_owner -d ifcd "$@"; }
super() { PGPASSWORD="$(password superuser)" psql -X -q -v ON_ERROR_STOP=1 -h "$data/run" -p "$pg_port" -U ifcd_super -d ifcd "$@"; }
# The extension is loaded for this run's cluster alone (postgresql.auto.conf of its data folder).
super -c "ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'" >/dev/null
stop_serve
log "demo data and $firearms firearms"
"$bin" demo seed --data-dir "$data" >/dev/null
start_serve
super -c "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" -c "ALTER SYSTEM SET pg_stat_statements.track_planning = on" \
    -c "SELECT pg_reload_conf()" >/dev/null
bash Deploy/bench/generate-firearms.sh "$firearms" >"$dir/firearms.csv"
sql -c "CREATE TEMP TABLE s (make text, model text, type text, calibre text, serial text, country text, year int,
        import_country text, import_year int, importer text)" \
    -c "\\copy s FROM '$dir/firearms.csv' WITH (FORMAT csv, HEADER true)" \
    -c "INSERT INTO firearms (id, reference, make, model, type, calibre, serial_marked, serial_normalized, serial_folded,
            country_of_manufacture, year_of_manufacture, import_country, import_year, importer, record_origin)
        SELECT gen_random_uuid(), 'FA-' || (2000000 + row_number() OVER ())::text, make, model, type, calibre, serial, n,
               translate(n, 'OILSBZ', '011582'), country, year, import_country, import_year, importer, 'lawful'
        FROM (SELECT *, upper(regexp_replace(serial, '[^A-Za-z0-9]', '', 'g')) AS n FROM s) s" >/dev/null
# The firearm read is of a licensed firearm (two read entries: the firearm and its licence).
firearm_id="$(sql -At -c "SELECT id FROM firearms WHERE reference > 'FA-2000000' ORDER BY reference OFFSET $((firearms / 2)) LIMIT 1")"
sql -c "INSERT INTO licence_firearms (licence_id, firearm_id) SELECT id, '$firearm_id' FROM licences ORDER BY number LIMIT 1" \
    -c "VACUUM ANALYZE" >/dev/null
serial="$(sql -At -c "SELECT serial_normalized FROM firearms WHERE id = '$firearm_id'")"
pattern="${serial:0:1}?${serial:2:5}*"
case_id="$(sql -At -c "SELECT id FROM forensic_cases ORDER BY reference LIMIT 1")"
exhibit_id="$(sql -At -c "SELECT id FROM exhibits ORDER BY reference LIMIT 1")"
token="$("$bin" token issue bench --ttl 4h --data-dir "$data")"
pg_ticks() { local pm; pm="$(sed -n 1p "$data/pgdata/postmaster.pid")"; ticks "$pm" $(pgrep -P "$pm"); }
for route in $routes; do
    case "$route" in
        get) path="/v1/firearms/$firearm_id" ;;
        exact) path="/v1/firearms?serial=$serial" ;;
        pattern) path="/v1/firearms/search?serial=$pattern&limit=20" ;;
        case) path="/v1/cases/$case_id" ;;
        exhibit) path="/v1/exhibits/$exhibit_id" ;;
        *) log "unknown route $route"; exit 2 ;;
    esac
    wrk -t2 -c"$connections" -d2s -H "Authorization: Bearer $token" "http://127.0.0.1:$port$path" >/dev/null
    super -c "SELECT pg_stat_statements_reset()" >/dev/null
    before="$(pg_ticks)"
    wrk -t2 -c"$connections" -d"${seconds}s" -H "Authorization: Bearer $token" "http://127.0.0.1:$port$path" >"$dir/wrk.out"
    used=$(( $(pg_ticks) - before ))
    requests="$(awk '/requests in/ { print $1 }' "$dir/wrk.out")"
    echo
    echo "#### $route ($path): $requests requests, $(awk '/Requests\/sec/ { print $2 }' "$dir/wrk.out")/s;" \
         "PostgreSQL CPU $(awk -v t="$used" -v n="$requests" -v hz="$hz" 'BEGIN { printf "%.0f", t * 1e6 / hz / n }') µs a request"
    echo
    super -At -F' | ' -c "SELECT '', round(calls::numeric / $requests, 3), round((total_exec_time * 1000 / $requests)::numeric, 1),
            round((total_plan_time * 1000 / $requests)::numeric, 1), left(regexp_replace(query, '\s+', ' ', 'g'), 90), ''
        FROM pg_stat_statements WHERE calls > 0 AND query NOT LIKE '%pg_stat_statements%'
        ORDER BY total_exec_time + total_plan_time DESC LIMIT 8" |
        { echo "| calls a request | execution µs a request | planning µs a request | statement |"; echo "| --- | --- | --- | --- |"; sed 's/^ | /| /; s/ | $/ |/'; }
done
