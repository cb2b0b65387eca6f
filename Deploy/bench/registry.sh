#!/usr/bin/env bash
# Registry at scale, measured on this machine in one run:
#   1. `ifcd import firearms` of a generated CSV (default 1,000,000 rows) in rows/s, against
#      PostgreSQL's COPY of the same file (into a bare table), and against COPY plus the same
#      normalisation and indexes done in SQL (INSERT … SELECT … ON CONFLICT into a copy of the
#      firearms table): what the import does beyond that is versions, audit and validation.
#   2. p50/p99 latency of exact and pattern serial search through the API on that registry
#      (wrk, 4 connections), and the EXPLAIN ANALYZE of the pattern query.
# BENCH_ROWS sets the size; BENCH_SECONDS the length of each latency run.
set -euo pipefail
cd "$(dirname "$0")/../.."
. Deploy/lib.sh
ensure_swift
ensure_postgres
if ! command -v wrk >/dev/null 2>&1 || ! command -v psql >/dev/null 2>&1; then
    sudo=""; [ "$(id -u)" != 0 ] && sudo="sudo"
    $sudo apt-get install -y -q --no-install-recommends wrk postgresql-client >/dev/null
fi
rows="${BENCH_ROWS:-1000000}"
seconds="${BENCH_SECONDS:-10}"
port="${BENCH_PORT:-18182}"

swift build -c release --product ifcd >/dev/null
bin="$(swift build -c release --show-bin-path)/ifcd"
dir="$(mktemp -d /tmp/ifcd-regbench.XXXXXX)"
chmod 711 "$dir"
data="$dir/d"
serve_pid=""
cleanup() {
    if [ -n "$serve_pid" ]; then kill -TERM "$serve_pid" 2>/dev/null || true; wait "$serve_pid" 2>/dev/null || true; fi
    rm -rf "$dir"
}
trap cleanup EXIT
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
per_second() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", n / s }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

bash Deploy/bench/generate-firearms.sh "$rows" >"$dir/firearms.csv"
printf '%s\n' 'bench passphrase 0123' | "$bin" user add bench --role clerk --role analyst --password-stdin --data-dir "$data" >/dev/null
IFCD_LOG_LEVEL=warning "$bin" serve --data-dir "$data" --port "$port" >"$dir/serve.log" 2>&1 &
serve_pid=$!
for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$port/ready" >/dev/null 2>&1 && break; sleep 0.1; done
token="$("$bin" token issue bench --ttl 2h --data-dir "$data")"
pg_port="$(sed -n 4p "$data/pgdata/postmaster.pid")"
owner_password="$(sed -E 's/.*"owner":"([^"]+)".*/\1/' "$data/secrets.json")"
sql() { PGPASSWORD="$owner_password" psql -X -q -v ON_ERROR_STOP=1 -h "$data/run" -p "$pg_port" -U ifcd_owner -d ifcd "$@"; }

# 1. Import against COPY.
start=$(now)
"$bin" import firearms "$dir/firearms.csv" --data-dir "$data" >"$dir/import.out" 2>"$dir/import.err" || true
import_seconds=$(elapsed "$start" "$(now)")
imported_line="$(tail -1 "$dir/import.out" | head -c 200)"

sql -c "CREATE TABLE bench_staging (make text, model text, type text, calibre text, serial text, country text, year int,
        import_country text, import_year int, importer text)"
start=$(now)
sql -c "\\copy bench_staging FROM '$dir/firearms.csv' WITH (FORMAT csv, HEADER true)"
copy_seconds=$(elapsed "$start" "$(now)")
sql -c "CREATE TABLE bench_firearms (LIKE firearms INCLUDING ALL)"
start=$(now)
sql -c "INSERT INTO bench_firearms (id, reference, make, model, type, calibre, serial_marked, serial_normalized, serial_folded,
            country_of_manufacture, year_of_manufacture, import_country, import_year, importer)
        SELECT gen_random_uuid(), 'FA-' || (90000000 + row_number() OVER ())::text, make, model, type, calibre, serial, n,
               translate(n, 'OILSBZ', '011582'), country, year, import_country, import_year, importer
        FROM (SELECT *, upper(regexp_replace(serial, '[^A-Za-z0-9]', '', 'g')) AS n FROM bench_staging) s
        ON CONFLICT DO NOTHING"
transform_seconds=$(elapsed "$start" "$(now)")
copy_indexed_seconds=$(awk -v a="$copy_seconds" -v b="$transform_seconds" 'BEGIN { printf "%.2f", a + b }')
sql -c "DROP TABLE bench_staging, bench_firearms"
sql -c "VACUUM ANALYZE firearms" >/dev/null

# 2. Search latency on the imported registry.
serial="$(sed -n "$((rows / 2 + 1))p" "$dir/firearms.csv" | awk -F, '{ print $(NF-5) }')"
normalized="$(printf '%s' "$serial" | tr -cd 'A-Za-z0-9' | tr a-z A-Z)"
# An obliterated second character and an unknown tail: A?CD…*
pattern="${normalized:0:1}?${normalized:2:5}*"
latency() { # url
    wrk -t1 -c4 -d"${seconds}s" --latency -H "Authorization: Bearer $token" "$1" \
        | awk '/^ +50%/ {p50=$2} /^ +99%/ {p99=$2} /Requests\/sec/ {rps=$2} END {print p50, p99, rps}'
}
exact=($(latency "http://127.0.0.1:$port/v1/firearms?serial=$normalized"))
fuzzy=($(latency "http://127.0.0.1:$port/v1/firearms/search?serial=$pattern&limit=20"))
plan="$(sql -At -c "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) SELECT id FROM firearms
        WHERE serial_normalized LIKE '$(printf '%s' "$pattern" | tr '?*' '_%')'
        ORDER BY (serial_normalized = '$pattern') DESC, similarity(serial_normalized, '$(printf '%s' "$pattern" | tr -d '?*')') DESC, reference LIMIT 20")"
count="$(sql -At -c "SELECT count(*) FROM firearms")"

cat <<REPORT
ifcd registry bench: $rows generated rows, $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ)
| what | seconds | rows/s | ratio |
| --- | --- | --- | --- |
| COPY into a bare table | $copy_seconds | $(per_second "$rows" "$copy_seconds") | 1.00 (baseline) |
| COPY + normalise + same indexes in SQL | $copy_indexed_seconds | $(per_second "$rows" "$copy_indexed_seconds") | $(ratio "$copy_seconds" "$copy_indexed_seconds") |
| ifcd import firearms (versions, audit, validation) | $import_seconds | $(per_second "$rows" "$import_seconds") | $(ratio "$copy_seconds" "$import_seconds") of COPY, $(ratio "$copy_indexed_seconds" "$import_seconds") of COPY+SQL |
import: $imported_line
registry: $count firearms

| search (4 connections, ${seconds}s) | p50 | p99 | requests/s |
| --- | --- | --- | --- |
| exact: GET /v1/firearms?serial=$normalized | ${exact[0]} | ${exact[1]} | ${exact[2]} |
| pattern: GET /v1/firearms/search?serial=$pattern | ${fuzzy[0]} | ${fuzzy[1]} | ${fuzzy[2]} |
plan of the pattern query:
$plan
REPORT
