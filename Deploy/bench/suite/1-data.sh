# One phase of Deploy/bench/suite.sh, sourced by it in order (its variables and helpers are the suite's).
# ---- 1. Data ----
log "generating $firearms firearms"
bash Deploy/bench/generate-firearms.sh "$firearms" >"$dir/firearms.csv"
printf '%s\n' 'bench passphrase 0123' | "$bin" user add bench --clearance restricted --role clerk --role analyst --role examiner --role auditor --role bulk_reader --role evidence_officer \
    --password-stdin --data-dir "$data" >/dev/null
IFCD_LOG_LEVEL=warning "$bin" serve --data-dir "$data" --port "$port" >"$dir/serve.log" 2>&1 &
serve_pid=$!
for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$port/ready" >/dev/null 2>&1 && break; sleep 0.1; done
curl -sf "http://127.0.0.1:$port/ready" >/dev/null || { log "ifcd did not become ready"; cat "$dir/serve.log" >&2; exit 1; }
rss_peak() { awk '/VmHWM/ { print $2 }' "/proc/$serve_pid/status"; }
token="$("$bin" token issue bench --ttl 4h --data-dir "$data")"
pg_port="$(sed -n 4p "$data/pgdata/postmaster.pid")"
owner_password="$(sed -E 's/.*"owner":"([^"]+)".*/\1/' "$data/secrets.json")"
app_password="$(sed -E 's/.*"app":"([^"]+)".*/\1/' "$data/secrets.json")"
sql() { PGPASSWORD="$owner_password" psql -X -q -v ON_ERROR_STOP=1 -h "$data/run" -p "$pg_port" -U ifcd_owner -d ifcd "$@"; }

log "importing (ifcd import firearms)"
start=$(now)
# shellcheck disable=SC2086
/usr/bin/time -f '%M' -o "$dir/import.rss" "$bin" import firearms "$dir/firearms.csv" --data-dir "$data" $import_flags \
    >"$dir/import.out" 2>"$dir/import.err" || true
import_seconds=$(elapsed "$start" "$(now)")
import_rss_mb=$(awk '{ printf "%.0f", $1 / 1024 }' "$dir/import.rss")
log "COPY baselines"
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

log "incremental import of $incremental into the loaded registry, and its baseline"
bash Deploy/bench/generate-firearms.sh "$incremental" 77 | awk -F, 'NR == 1 { print; next } { $5 = "I" $5; print }' OFS=, >"$dir/more.csv"
sql -c "VACUUM ANALYZE firearms" >/dev/null
start=$(now)
sql -c "BEGIN" -c "CREATE TEMP TABLE more_staging (make text, model text, type text, calibre text, serial text, country text, year int,
        import_country text, import_year int, importer text)" \
    -c "\\copy more_staging FROM '$dir/more.csv' WITH (FORMAT csv, HEADER true)" \
    -c "INSERT INTO firearms (id, reference, make, model, type, calibre, serial_marked, serial_normalized, serial_folded,
            country_of_manufacture, year_of_manufacture, import_country, import_year, importer)
        SELECT gen_random_uuid(), 'FA-' || (95000000 + row_number() OVER ())::text, make, model, type, calibre, serial, n,
               translate(n, 'OILSBZ', '011582'), country, year, import_country, import_year, importer
        FROM (SELECT *, upper(regexp_replace(serial, '[^A-Za-z0-9]', '', 'g')) AS n FROM more_staging) s
        ON CONFLICT DO NOTHING" -c "ROLLBACK"
more_copy_seconds=$(elapsed "$start" "$(now)")
sql -c "VACUUM ANALYZE firearms" >/dev/null
start=$(now)
"$bin" import firearms "$dir/more.csv" --data-dir "$data" >"$dir/more.out" 2>"$dir/more.err" || true
more_seconds=$(elapsed "$start" "$(now)")

log "COPY $holders holders and $events events"
awk -v n="$holders" 'BEGIN { srand(7); split("Brown|Campbell|Williams|Thompson|Clarke|Reid|Morgan|Grant|Henry|Lewis", s, "|");
    split("Andre|Kimberly|Devon|Shanice|Marlon|Tanya|Ricardo|Nadine|Omar|Keisha", g, "|");
    for (i = 1; i <= n; i++) printf "%s,%s,%s %s,%s,JM\n", "00000000-0000-4000-8000-" sprintf("%012d", i), "HO-" sprintf("%07d", 5000000 + i),
        g[int(rand() * 10) + 1], s[int(rand() * 10) + 1], "ID" sprintf("%09d", i) }' >"$dir/holders.csv"
sql -c "CREATE TEMP TABLE h (id uuid, reference text, name text, id_number text, country text)" \
    -c "\\copy h FROM '$dir/holders.csv' WITH (FORMAT csv)" \
    -c "INSERT INTO holders (id, reference, kind, name, id_number, country) SELECT id, reference, 'person', name, id_number, country FROM h"
awk -v n="$events" -v f="$firearms" 'BEGIN { srand(9); split("manufactured|registered|licensed", k, "|");
    for (i = 1; i <= n; i++) printf "%d,%s,%d-%02d-%02d\n", int(rand() * f) + 1, k[(i % 3) + 1], 1990 + int(rand() * 30), int(rand() * 12) + 1, int(rand() * 28) + 1 }' >"$dir/events.csv"
sql -c "CREATE TABLE bench_events (n int, kind text, occurred_on date)" \
    -c "\\copy bench_events FROM '$dir/events.csv' WITH (FORMAT csv)" \
    -c "INSERT INTO firearm_events (id, firearm_id, kind, occurred_on, status_after, firearm_version, recorded_by)
        SELECT gen_random_uuid(), f.id, e.kind, e.occurred_on, f.status, f.version, 'bench'
        FROM bench_events e JOIN firearms f ON f.reference = 'FA-' || lpad(e.n::text, 7, '0')" \
    -c "DROP TABLE bench_events"
audit_now="$(sql -At -c "SELECT count(*) FROM audit_entries")"
extra=$((audit_target - audit_now))
if [ "$extra" -gt 0 ]; then
    log "COPY $extra read audit entries (to $audit_target)"
    awk -v n="$extra" 'BEGIN { for (i = 1; i <= n; i++) printf "bench\t{analyst}\tfirearm.read\tfirearm\t%d\tbench-%d\tsuccess\n", i % 1000000, i }' \
        >"$dir/audit.tsv"
    sql -c "\\copy audit_entries (actor, roles, action, record_type, record_id, request_id, outcome) FROM '$dir/audit.tsv'"
    rm -f "$dir/audit.tsv"
fi
sql -c "VACUUM ANALYZE firearms, firearm_versions, firearm_events, holders, audit_entries" >/dev/null
log "waiting for the sealer"
start=$(now)
for _ in $(seq 1 3600); do
    # Cheap enough to ask every second: both maxima come from an index.
    behind="$(sql -At -c "SELECT (SELECT max(seq) FROM audit_entries) - coalesce((SELECT max(coalesce(last_seq, entry_seq)) FROM audit_seals), 0)")"
    [ "$behind" = 0 ] && break
    sleep 1
done
seal_seconds=$(elapsed "$start" "$(now)")
trail="$(sql -At -c "SELECT count(*) FROM audit_entries")"
