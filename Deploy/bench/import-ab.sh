#!/usr/bin/env bash
# Issue 15's import lever, A/B on the same file in one run: each given ifcd binary imports the same
# generated CSV with `ifcd import firearms` into a fresh data folder of its own (its daemon serving
# the folder, so the cluster stays up and its CPU can be read). Then, on the last folder, the two
# baselines the suite uses: COPY of the file into a bare table, and COPY plus the same
# normalisation into a copy of the firearms table with all its indexes (INSERT … SELECT).
# Prints per binary: rows/s, the ratio to each baseline, the CLI's peak RSS and CPU per row, and
# PostgreSQL's CPU per row (all its processes; the daemon's sealer is sealing the same entries in
# every run).
#
#   bash Deploy/bench/import-ab.sh LABEL=BINARY[:IMPORT FLAGS] ...
#   e.g. bash Deploy/bench/import-ab.sh before=/tmp/ifcd-before after=.build/release/ifcd
# Env: BENCH_FIREARMS (200000), BENCH_PORT (18284), BENCH_KEEP (keep the folders).
set -euo pipefail
cd "$(dirname "$0")/../.."
firearms="${BENCH_FIREARMS:-200000}"
port="${BENCH_PORT:-18284}"
[ $# -ge 1 ] || { sed -n 2,13p "$0" >&2; exit 2; }
dir="$(mktemp -d /tmp/ifcd-import-ab.XXXXXX)"
chmod 711 "$dir"
serve_pid=""
log() { echo "import-ab: $*" >&2; }
. Deploy/bench/common.sh
trap cleanup EXIT
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print "-" }'; }

log "generating $firearms firearms"
bash Deploy/bench/generate-firearms.sh "$firearms" >"$dir/firearms.csv"

results=()
data=""
for spec in "$@"; do
    label="${spec%%=*}"; rest="${spec#*=}"; binary="${rest%%:*}"; flags=""
    [ "$rest" != "$binary" ] && flags="${rest#*:}"
    data="$dir/$label"
    printf '%s\n' 'bench passphrase 0123' | "$binary" user add bench --role clerk --password-stdin --data-dir "$data" >/dev/null
    IFCD_LOG_LEVEL=warning "$binary" serve --data-dir "$data" --port "$port" >>"$dir/serve-$label.log" 2>&1 &
    serve_pid=$!
    for _ in $(seq 1 600); do curl -sf "http://127.0.0.1:$port/ready" >/dev/null 2>&1 && break; sleep 0.1; done
    pm="$(sed -n 1p "$data/pgdata/postmaster.pid")"
    log "$label: $binary $flags — load: $(cut -d' ' -f1-3 /proc/loadavg)"
    children="$(pgrep -P "$pm" | wc -l)"
    pg0=$(ticks "$pm" $(pgrep -P "$pm"))
    start=$(now)
    # shellcheck disable=SC2086
    /usr/bin/time -f '%e %U %S %M' -o "$dir/time-$label" "$binary" import firearms "$dir/firearms.csv" --data-dir "$data" $flags \
        >"$dir/import-$label.out" 2>"$dir/import-$label.err" || true
    seconds=$(elapsed "$start" "$(now)")
    # The CLI's backends end after it does; their CPU reaches the postmaster's reaped-children
    # times only once they are gone (at most 5 s).
    for _ in $(seq 1 50); do [ "$(pgrep -P "$pm" | wc -l)" -le "$children" ] && break; sleep 0.1; done
    pg=$(( $(ticks "$pm" $(pgrep -P "$pm")) - pg0 ))
    read -r _ user sys rss <"$dir/time-$label"
    imported="$(sed -n 's/^imported \([0-9]*\) of.*/\1/p' "$dir/import-$label.out")"
    [ "${imported:-0}" -gt 0 ] || { log "$label imported nothing"; tail -5 "$dir/import-$label.err" >&2; exit 1; }
    cli_us=$(awk -v u="$user" -v s="$sys" -v n="$imported" 'BEGIN { printf "%.1f", (u + s) * 1e6 / n }')
    pg_us=$(awk -v t="$pg" -v hz="$hz" -v n="$imported" 'BEGIN { printf "%.1f", t * 1e6 / hz / n }')
    results+=("$label|$imported|$seconds|$(per_second "$imported" "$seconds")|$((rss / 1024))|$cli_us|$pg_us")
    [ "$spec" = "${!#}" ] || stop_serve
done

log "baselines on the last folder"
pg_port="$(sed -n 4p "$data/pgdata/postmaster.pid")"
owner_password="$(sed -E 's/.*"owner":"([^"]+)".*/\1/' "$data/secrets.json")"
sql() { PGPASSWORD="$owner_password" psql -X -q -v ON_ERROR_STOP=1 -h "$data/run" -p "$pg_port" -U ifcd_owner -d ifcd "$@"; }
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
copy_indexed_seconds=$(awk -v a="$copy_seconds" -v b="$(elapsed "$start" "$(now)")" 'BEGIN { printf "%.2f", a + b }')
sql -c "DROP TABLE bench_staging, bench_firearms"
copy_rate=$(per_second "$firearms" "$copy_seconds")
copy_indexed_rate=$(per_second "$firearms" "$copy_indexed_seconds")

echo
echo "import of $firearms generated firearms; COPY bare $copy_rate rows/s (${copy_seconds}s), COPY + normalisation + indexes $copy_indexed_rate rows/s (${copy_indexed_seconds}s)"
echo
echo "| run | imported | seconds | rows/s | of COPY | of COPY + indexes | CLI peak RSS MB | CLI CPU µs/row | PostgreSQL CPU µs/row |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"
for r in "${results[@]}"; do
    IFS='|' read -r label imported seconds rate rss cli pg <<<"$r"
    echo "| $label | $imported | $seconds | $rate | $(ratio "$rate" "$copy_rate") | $(ratio "$rate" "$copy_indexed_rate") | $rss | $cli | $pg |"
done
