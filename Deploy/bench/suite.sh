#!/usr/bin/env bash
# The benchmark suite, one command, one table: every figure next to a baseline measured in the
# same run on the same machine, and each of issue 5's targets reported as met or not.
#
#   bash Deploy/bench/suite.sh            (BENCH_FIREARMS=1000000 BENCH_HOLDERS=300000
#                                          BENCH_EVENTS=3000000 BENCH_AUDIT=5000000 by default)
#
#   1. Data: a generated CSV of BENCH_FIREARMS firearms (plausible serials per make) is imported
#      with `ifcd import firearms --initial` (BENCH_IMPORT_FLAGS), timed against COPY of the same
#      file into a bare table and against COPY + the same normalisation and indexes in SQL. Then
#      an incremental import of BENCH_INCREMENTAL (100000) more into the loaded registry, against
#      COPY + the same normalisation into the same live table with its indexes (rolled back). Holders and events are then
#      COPYed in, and read audit entries until the trail holds BENCH_AUDIT entries; the sealer
#      seals them before the API runs (its rate is reported).
#   2. API: wrk on loopback (BENCH_CONNECTIONS, default 16, for BENCH_SECONDS, default 10) for
#      GET /v1/firearms/{id}, exact serial lookup, pattern search, firearm create and event append;
#      each against pgbench running the same SQL (token lookup, the read or write, one audit
#      INSERT, one commit) with the same number of clients, and the ratio.
#   3. `ifcd audit verify` in entries/s, and the daemon's peak RSS (VmHWM) over the whole run.
#      Custody transfer + receipt (one exhibit per client, sent to a vault and received there, the
#      next one to the other vault) against pgbench running the same two transactions' SQL; the
#      exhibit read (GET /v1/exhibits/{id}) against the same read's SQL.
#   4. Tracing: trace create, incoming match and fuzzy serial search (median and p99), reported after.
set -euo pipefail
cd "$(dirname "$0")/../.."
. Deploy/lib.sh
ensure_swift
ensure_postgres
if ! command -v wrk >/dev/null 2>&1 || ! command -v pgbench >/dev/null 2>&1 || ! command -v psql >/dev/null 2>&1; then
    install_packages "wrk postgresql-client postgresql-contrib" "wrk postgresql postgresql-contrib" "wrk postgresql@15" >&2 ||
        { echo "suite: install wrk, psql and pgbench" >&2; exit 1; }
fi
firearms="${BENCH_FIREARMS:-1000000}"
holders="${BENCH_HOLDERS:-300000}"
events="${BENCH_EVENTS:-3000000}"
audit_target="${BENCH_AUDIT:-5000000}"
connections="${BENCH_CONNECTIONS:-16}"
cases_seeded="${BENCH_CASES:-100000}"
seconds="${BENCH_SECONDS:-10}"
import_flags="${BENCH_IMPORT_FLAGS---initial}"
incremental="${BENCH_INCREMENTAL:-100000}"
port="${BENCH_PORT:-18183}"

if [ -n "${BENCH_BIN:-}" ]; then
    bin="$BENCH_BIN"  # an ifcd release build made elsewhere (another worktree or --scratch-path)
else
    swift build -c release --product ifcd >&2
    bin="$(swift build -c release --show-bin-path)/ifcd"
fi
dir="$(mktemp -d /tmp/ifcd-suite.XXXXXX)"
chmod 711 "$dir"
data="$dir/d"
serve_pid=""
cleanup() {
    if [ -n "$serve_pid" ]; then kill -TERM "$serve_pid" 2>/dev/null || true; wait "$serve_pid" 2>/dev/null || true; fi
    if [ -z "${BENCH_KEEP:-}" ]; then rm -rf "$dir"; else echo "kept $dir" >&2; fi
}
trap cleanup EXIT
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
per_second() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", n / s }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }
met() { awk -v v="$1" -v t="$2" -v op="$3" 'BEGIN { ok = (op == ">=") ? (v >= t) : (v <= t); print (ok ? "met" : "NOT met") }'; }
log() { echo "suite: $*" >&2; }

# ---- 1. Data ----
log "generating $firearms firearms"
bash Deploy/bench/generate-firearms.sh "$firearms" >"$dir/firearms.csv"
printf '%s\n' 'bench passphrase 0123' | "$bin" user add bench --role clerk --role analyst --role examiner --role auditor --role bulk_reader \
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

# ---- 2. API against pgbench ----
firearm_id="$(sql -At -c "SELECT id FROM firearms ORDER BY reference OFFSET $((firearms / 2)) LIMIT 1")"
serial="$(sql -At -c "SELECT serial_normalized FROM firearms WHERE id = '$firearm_id'")"
pattern="${serial:0:1}?${serial:2:5}*"
like="$(printf '%s' "$pattern" | tr '?*' '_%')"
bare="$(printf '%s' "$pattern" | tr -d '?*')"
user_id="$(sql -At -c "SELECT id FROM users WHERE username = 'bench'")"
token_hash="$(printf '%s' "$token" | sha256sum | cut -d' ' -f1)"
lookup="SELECT t.id, u.id, u.username, u.roles FROM auth_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = '\\x$token_hash'::bytea AND t.revoked_at IS NULL AND t.expires_at > now() AND NOT u.disabled;"
audit_insert() { # action record_id
    echo "INSERT INTO audit_entries (actor, actor_id, roles, action, record_type, record_id, request_id, outcome) VALUES ('bench', '$user_id', '{clerk,analyst}', '$1', 'firearm', $2, 'pgbench', 'success');"
}
cat >"$dir/get.sql" <<SQL
BEGIN;
$lookup
SELECT * FROM firearms WHERE id = '$firearm_id';
SELECT l.* FROM licences l JOIN licence_firearms lf ON lf.licence_id = l.id WHERE lf.firearm_id = '$firearm_id';
$(audit_insert firearm.read "'$firearm_id'")
COMMIT;
SQL
cat >"$dir/exact.sql" <<SQL
BEGIN;
$lookup
SELECT * FROM firearms WHERE serial_normalized = '$serial' ORDER BY reference LIMIT 51;
$(audit_insert firearm.read "'$firearm_id'")
COMMIT;
SQL
cat >"$dir/pattern.sql" <<SQL
BEGIN;
$lookup
SELECT * FROM firearms WHERE serial_normalized LIKE '$like' ORDER BY (serial_normalized = '$bare') DESC, similarity(serial_normalized, '$bare') DESC, reference LIMIT 20;
$(audit_insert firearm.read "'$firearm_id'")
COMMIT;
SQL
cat >"$dir/create.sql" <<SQL
\\set n random(1, 2000000000)
BEGIN;
$lookup
INSERT INTO firearms (id, reference, make, model, type, calibre, serial_marked, serial_normalized, serial_folded, country_of_manufacture, year_of_manufacture)
  VALUES (gen_random_uuid(), ifcd_reference('FA', 7, NULL), 'PgBench', 'B', 'pistol', '9x19mm', 'PB' || :n || '-' || :client_id, 'PB' || :n || :client_id, 'PB' || :n || :client_id, 'AT', 2020)
  ON CONFLICT DO NOTHING RETURNING *;
INSERT INTO firearm_versions (firearm_id, version, record, change, changed_by)
  SELECT id, 1, to_jsonb(f), 'create', 'bench' FROM firearms f WHERE serial_normalized = 'PB' || :n || :client_id AND make = 'PgBench';
$(audit_insert firearm.create "'pgbench-' || :n")
COMMIT;
SQL
cat >"$dir/event.sql" <<SQL
\\set f random(1, $firearms)
BEGIN;
$lookup
SELECT * FROM firearms WHERE reference = 'FA-' || lpad(:f::text, 7, '0') FOR UPDATE;
SELECT max(occurred_on) FROM firearm_events WHERE firearm_id = (SELECT id FROM firearms WHERE reference = 'FA-' || lpad(:f::text, 7, '0'));
INSERT INTO firearm_events (id, firearm_id, kind, occurred_on, status_after, firearm_version, recorded_by)
  SELECT gen_random_uuid(), id, 'licensed', current_date, status, version + 1, 'bench' FROM firearms WHERE reference = 'FA-' || lpad(:f::text, 7, '0');
UPDATE firearms SET version = version + 1, updated_at = clock_timestamp() WHERE reference = 'FA-' || lpad(:f::text, 7, '0');
$(audit_insert firearm.event "'FA-' || :f")
COMMIT;
SQL
# Forensic cases: create (a reference from the yearly series, the row, its first version, its
# audit entry) and read (the case, its read entry), on a table holding $cases_seeded cases.
case_insert="INSERT INTO forensic_cases (id, reference, submitting_agency, officer, agency_case_number, offence, incident_on, incident_country, incident_place, received_on, confidentiality, requested_examinations, seizure_ids, notes, created_by)"
sql -c "$case_insert SELECT gen_random_uuid(), ifcd_reference('FC', 6, extract(year FROM now())::int), 'Bench Police', 'Insp. Bench', 'B-' || i, 'shooting with intent',
        current_date - 30, 'JM', 'Spanish Town', current_date - 20, 'restricted', '{comparison,operability}', '{}', NULL, 'bench'
        FROM generate_series(1, $cases_seeded) i" >/dev/null
case_id="$(sql -At -c "SELECT id FROM forensic_cases ORDER BY reference OFFSET $((cases_seeded / 2)) LIMIT 1")"
cat >"$dir/case-create.sql" <<SQL
BEGIN;
$lookup
$case_insert
  VALUES (gen_random_uuid(), ifcd_reference('FC', 6, extract(year FROM now())::int), 'JCF Major Investigation Taskforce', 'Insp. Campbell', 'MIT-2025-114', 'shooting with intent',
          current_date - 30, 'JM', 'Spanish Town', current_date - 20, 'restricted', '{comparison,operability}', '{}', NULL, 'bench') RETURNING id AS case_id \\gset
SELECT * FROM forensic_cases WHERE id = :case_id;
INSERT INTO forensic_case_versions (case_id, version, record, change, changed_by)
  SELECT id, 1, to_jsonb(c), 'received', 'bench' FROM forensic_cases c WHERE id = :case_id;
$(audit_insert case.create "'pgbench'")
COMMIT;
SQL
cat >"$dir/case-read.sql" <<SQL
BEGIN;
$lookup
SELECT * FROM forensic_cases WHERE id = '$case_id';
$(audit_insert case.read "'$case_id'")
COMMIT;
SQL
cat >"$dir/case-create.lua" <<LUA
wrk.headers["Content-Type"] = "application/json"
request = function()
    return wrk.format("POST", "/v1/cases", nil,
        '{"submitting_agency":"JCF Major Investigation Taskforce","officer":"Insp. Campbell","agency_case_number":"MIT-2025-114","offence":"shooting with intent","incident_on":"$(date -u -d '30 days ago' +%Y-%m-%d)","incident_country":"JM","incident_place":"Spanish Town","received_on":"$(date -u -d '20 days ago' +%Y-%m-%d)","confidentiality":"restricted","requested_examinations":["comparison","operability"]}')
end
LUA
# wrk scripts: unique serials per request for create; a random firearm per event.
cat >"$dir/create.lua" <<'LUA'
-- wrk.format uses wrk.headers (with -H Authorization) when given no headers of its own.
wrk.headers["Content-Type"] = "application/json"
local counter = 0
local thread_id = 0
function setup(thread) thread_id = thread_id + 1; thread:set("tid", thread_id) end
request = function()
    counter = counter + 1
    local body = string.format('{"make":"WrkBench","model":"B","type":"pistol","calibre":"9x19mm","serial":"WB%d-%d-%d","country_of_manufacture":"AT","year_of_manufacture":2020}',
        tid or 0, counter, math.random(1, 1000000000))
    return wrk.format("POST", "/v1/firearms", nil, body)
end
LUA
sql -At -c "SELECT id FROM firearms WHERE make <> 'WrkBench' ORDER BY random() LIMIT 20000" >"$dir/ids.txt"
cat >"$dir/event.lua" <<LUA
wrk.headers["Content-Type"] = "application/json"
local ids = {}
for line in io.lines("$dir/ids.txt") do ids[#ids + 1] = line end
request = function()
    local id = ids[math.random(1, #ids)]
    return wrk.format("POST", "/v1/firearms/" .. id .. "/events", nil,
        '{"kind":"licensed","occurred_on":"$(date -u +%Y-%m-%d)"}')
end
LUA
# Custody: each client owns one exhibit, held at "Bench vault B" to start, and moves it to vault A
# and back: send (exhibit row lock, transfer, chain entry, exhibit update, version, audit entry)
# then receipt (the same on the transfer). wrk runs one connection per thread so that each
# thread's Lua sees its own send answered before it asks for the receipt.
custody_clients="$connections"
exhibit_uuid() { printf '00000000-0000-4000-9000-%012d' "$1"; }
sql -c "INSERT INTO exhibits (id, reference, barcode, kind, case_id, description, quantity, received_on, custodian_kind, custodian, created_by)
        SELECT ('00000000-0000-4000-9000-' || lpad(i::text, 12, '0'))::uuid, ifcd_reference('EX', 6, extract(year FROM now())::int), 'BENCH-' || i, 'cartridge_case',
               gen_random_uuid(), 'bench cartridge case', 1, current_date, 'location', 'Bench vault B', 'bench'
        FROM generate_series(1, 2 * $custody_clients) i" \
    -c "INSERT INTO exhibit_custody (exhibit_id, seq, event, recorded_by, custodian_kind, custodian, at)
        SELECT id, 1, 'intake', 'bench', 'location', 'Bench vault B', now() FROM exhibits WHERE barcode LIKE 'BENCH-%'" >/dev/null
custody_send() { # exhibit-expr from to
    cat <<SQL
BEGIN;
$lookup
SELECT * FROM exhibits WHERE id = $1 FOR UPDATE;
INSERT INTO exhibit_transfers (id, exhibit_id, from_kind, from_party, sent_by, to_kind, to_party, purpose, seal_number, seal_intact, sent_at)
  VALUES (gen_random_uuid(), $1, 'location', '$2', 'bench', 'location', '$3', 'bench', NULL, true, now()) RETURNING id AS tid \\gset
INSERT INTO exhibit_custody (exhibit_id, seq, previous_seq, event, transfer_id, recorded_by, custodian_kind, custodian, seal_number, seal_intact, detail, at)
  SELECT $1, coalesce(max(seq), 0) + 1, max(seq), 'sent', :tid, 'bench', 'location', '$2', NULL, true, '{"purpose":"bench"}', now()
  FROM exhibit_custody WHERE exhibit_id = $1;
UPDATE exhibits SET status = 'in_transit', version = version + 1, updated_at = now() WHERE id = $1;
INSERT INTO exhibit_versions (exhibit_id, version, record, change, changed_by) SELECT id, version, to_jsonb(e), 'sent', 'bench' FROM exhibits e WHERE id = $1;
$(audit_insert exhibit.transfer.send "'pgbench'")
SELECT * FROM exhibit_transfers WHERE id = :tid;
COMMIT;
BEGIN;
$lookup
SELECT * FROM exhibits WHERE id = $1 FOR UPDATE;
SELECT * FROM exhibit_transfers WHERE id = :tid AND exhibit_id = $1 FOR UPDATE;
UPDATE exhibit_transfers SET status = 'received', received_by = 'bench', received_at = now(), seal_intact_on_receipt = true WHERE id = :tid AND status = 'in_transit';
INSERT INTO exhibit_custody (exhibit_id, seq, previous_seq, event, transfer_id, recorded_by, custodian_kind, custodian, seal_number, seal_intact, detail, at)
  SELECT $1, coalesce(max(seq), 0) + 1, max(seq), 'received', :tid, 'bench', 'location', '$3', NULL, true, '{}', now()
  FROM exhibit_custody WHERE exhibit_id = $1;
UPDATE exhibits SET custodian_kind = 'location', custodian = '$3', status = 'held', storage_location = '$3', version = version + 1, updated_at = now() WHERE id = $1;
INSERT INTO exhibit_versions (exhibit_id, version, record, change, changed_by) SELECT id, version, to_jsonb(e), 'received', 'bench' FROM exhibits e WHERE id = $1;
$(audit_insert exhibit.transfer.receive "'pgbench'")
SELECT * FROM exhibit_transfers WHERE id = :tid;
COMMIT;
SQL
}
# The exhibits module's main read, GET /v1/exhibits/{id} (of exhibit 1, read before it moves).
cat >"$dir/exhibit-read.sql" <<SQL
BEGIN;
$lookup
SELECT * FROM exhibits WHERE id = '$(exhibit_uuid 1)';
$(audit_insert exhibit.read "'$(exhibit_uuid 1)'")
COMMIT;
SQL
# pgbench client n moves exhibit n+1 (1..clients); wrk threads move exhibits clients+1.. .
pg_exhibit="('00000000-0000-4000-9000-' || lpad((:client_id + 1)::text, 12, '0'))::uuid"
{ custody_send "$pg_exhibit" "Bench vault B" "Bench vault A"; custody_send "$pg_exhibit" "Bench vault A" "Bench vault B"; } >"$dir/custody.sql"
cat >"$dir/custody.lua" <<LUA
wrk.headers["Content-Type"] = "application/json"
local next_exhibit = $custody_clients
function setup(thread) next_exhibit = next_exhibit + 1; thread:set("eid", string.format("00000000-0000-4000-9000-%012d", next_exhibit)) end
local tid = nil
local held = "B"      -- where the exhibit is; request() may be called and its request dropped, so it only reads state
local target = nil
request = function()
    if tid == nil then
        target = (held == "A") and "B" or "A"
        return wrk.format("POST", "/v1/exhibits/" .. eid .. "/transfers", nil,
            '{"to_location":"Bench vault ' .. target .. '","purpose":"bench","seal_intact":true}')
    end
    return wrk.format("POST", "/v1/exhibits/" .. eid .. "/transfers/" .. tid .. "/receipt", nil, '{"seal_intact":true}')
end
response = function(status, headers, body)
    if status == 201 then tid = body:match('"id":"([0-9a-f-]+)"')
    elseif status == 200 and tid ~= nil then tid = nil; held = target end
end
LUA

wrk_run() { # path [script]
    local args=(-t2 -c"$connections" -d"${seconds}s" --latency -H "Authorization: Bearer $token")
    [ -n "${2:-}" ] && args+=(-s "$2")
    wrk "${args[@]}" "http://127.0.0.1:$port$1" >"$dir/wrk.out"
    awk '/^ +50%/ {p50=$2} /^ +99%/ {p99=$2} /Requests\/sec/ {rps=$2} /Non-2xx/ {bad=$NF} END {print rps, p50, p99, bad + 0}' "$dir/wrk.out"
}
pgbench_tps() { # script
    PGPASSWORD="$app_password" pgbench -n -M prepared -c "$connections" -j 2 -T "$seconds" \
        -h "$data/run" -p "$pg_port" -U ifcd_app -f "$1" ifcd 2>"$dir/pgbench.err" | awk '/^tps/ {print $3; exit}'
}
log "API runs"
wrk -t2 -c"$connections" -d2s -H "Authorization: Bearer $token" "http://127.0.0.1:$port/v1/firearms/$firearm_id" >/dev/null
declare -A rps p50 p99 bad tps
run_pair() { # name path script sqlfile
    read -r rps[$1] p50[$1] p99[$1] bad[$1] < <(wrk_run "$2" "$3")
    tps[$1]="$(pgbench_tps "$4")"
    [ -n "${tps[$1]}" ] || { log "pgbench failed for $1:"; cat "$dir/pgbench.err" >&2; tps[$1]=0; }
}
run_pair get "/v1/firearms/$firearm_id" "" "$dir/get.sql"
run_pair exact "/v1/firearms?serial=$serial" "" "$dir/exact.sql"
run_pair pattern "/v1/firearms/search?serial=$pattern&limit=20" "" "$dir/pattern.sql"
# Latency at a fixed offered load, half the maximum just measured, not at saturation: each wrk
# connection waits between requests (wrk's delay()) so that together they offer that rate.
cat >"$dir/paced.lua" <<'LUA'
local gap = tonumber(os.getenv("PACE_MS") or "0")
function delay() return gap end
LUA
paced() { # path rate: prints achieved rps, p50, p99, non-2xx
    local gap
    gap=$(awk -v c="$connections" -v r="$2" 'BEGIN { g = (r > 0) ? c * 1000 / r : 1000; printf "%d", (g < 1) ? 1 : g }')
    PACE_MS="$gap" wrk -t2 -c"$connections" -d"${seconds}s" --latency -H "Authorization: Bearer $token" -s "$dir/paced.lua" \
        "http://127.0.0.1:$port$1" >"$dir/wrk.out"
    awk '/^ +50%/ {p50=$2} /^ +99%/ {p99=$2} /Requests\/sec/ {rps=$2} /Non-2xx/ {bad=$NF} END {print rps, p50, p99, bad + 0}' "$dir/wrk.out"
}
half() { awk -v r="$1" 'BEGIN { printf "%d", r / 2 }'; }
offered_exact=$(half "${rps[exact]}")
offered_pattern=$(half "${rps[pattern]}")
read -r rps[exact_paced] p50[exact_paced] p99[exact_paced] bad[exact_paced] < <(paced "/v1/firearms?serial=$serial" "$offered_exact")
read -r rps[pattern_paced] p50[pattern_paced] p99[pattern_paced] bad[pattern_paced] < <(paced "/v1/firearms/search?serial=$pattern&limit=20" "$offered_pattern")
run_pair create "/v1/firearms" "$dir/create.lua" "$dir/create.sql"
run_pair event "/" "$dir/event.lua" "$dir/event.sql"
run_pair case_read "/v1/cases/$case_id" "" "$dir/case-read.sql"
run_pair case_create "/" "$dir/case-create.lua" "$dir/case-create.sql"
run_pair exhibit_read "/v1/exhibits/$(exhibit_uuid 1)" "" "$dir/exhibit-read.sql"
# One connection per wrk thread (see custody.lua); each request is half a transfer+receipt pair,
# each pgbench transaction (script run) two pairs.
read -r rps[custody] p50[custody] p99[custody] bad[custody] < <(
    wrk -t"$custody_clients" -c"$custody_clients" -d"${seconds}s" --latency -H "Authorization: Bearer $token" -s "$dir/custody.lua" \
        "http://127.0.0.1:$port/" >"$dir/wrk.out"
    awk '/^ +50%/ {p50=$2} /^ +99%/ {p99=$2} /Requests\/sec/ {rps=$2} /Non-2xx/ {bad=$NF} END {print rps, p50, p99, bad + 0}' "$dir/wrk.out")
tps[custody]="$(pgbench_tps "$dir/custody.sql")"
[ -n "${tps[custody]}" ] || { log "pgbench failed for custody:"; cat "$dir/pgbench.err" >&2; tps[custody]=0; }
custody_pairs=$(awk -v r="${rps[custody]}" 'BEGIN { printf "%.0f", r / 2 }')
custody_pg_pairs=$(awk -v t="${tps[custody]}" 'BEGIN { printf "%.0f", t * 2 }')
custody_chain="$(sql -At -c "SELECT count(*) FILTER (WHERE bad) FROM (SELECT seq <> row_number() OVER (PARTITION BY exhibit_id ORDER BY seq) AS bad FROM exhibit_custody) c")"

# ---- 3. Audit verify and memory ----
log "audit verify"
entries_now="$(sql -At -c "SELECT count(*) FROM audit_entries")"
start=$(now)
verify="$("$bin" audit verify --data-dir "$data" 2>&1 || true)"
verify_seconds=$(elapsed "$start" "$(now)")
verified="$(printf '%s' "$verify" | awk '/^ok/ {print $2}')"
verify_rate=$(per_second "${verified:-0}" "$verify_seconds")
rss_kb="$(rss_peak)"
plan="$(sql -At -c "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) SELECT id FROM firearms WHERE serial_normalized LIKE '$like'
        ORDER BY (serial_normalized = '$bare') DESC, similarity(serial_normalized, '$bare') DESC, reference LIMIT 20")"
rss_mb=$(awk -v k="$rss_kb" 'BEGIN { printf "%.0f", k / 1024 }')

import_rate=$(per_second "$firearms" "$import_seconds")
copy_rate=$(per_second "$firearms" "$copy_seconds")
copy_indexed_rate=$(per_second "$firearms" "$copy_indexed_seconds")
more_rate=$(per_second "$incremental" "$more_seconds")
more_copy_rate=$(per_second "$incremental" "$more_copy_seconds")
ms() { awk -v v="$1" 'BEGIN { if (v ~ /us$/) { sub(/us$/, "", v); print v / 1000 } else if (v ~ /ms$/) { sub(/ms$/, "", v); print v + 0 } else if (v ~ /s$/) { sub(/s$/, "", v); print v * 1000 } else print v }'; }
cat <<REPORT
ifcd benchmark suite: $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ), $connections connections, ${seconds}s per run
registry: $firearms firearms imported, $holders holders, $events events copied; audit trail $trail entries, sealed in ${seal_seconds}s after the load

| benchmark | ifcd | baseline (same run) | ratio | target |
| --- | --- | --- | --- | --- |
| GET /v1/firearms/{id} | ${rps[get]}/s (p50 ${p50[get]}, p99 ${p99[get]}) | pgbench ${tps[get]}/s | $(ratio "${rps[get]}" "${tps[get]}") | ≥ 0.5: $(met "$(ratio "${rps[get]}" "${tps[get]}")" 0.5 ">=") |
| exact serial GET /v1/firearms?serial= | ${rps[exact]}/s (p50 ${p50[exact]}, p99 ${p99[exact]}) | pgbench ${tps[exact]}/s | $(ratio "${rps[exact]}" "${tps[exact]}") | ≥ 0.5: $(met "$(ratio "${rps[exact]}" "${tps[exact]}")" 0.5 ">="); p99 ≤ 5 ms: $(met "$(ms "${p99[exact]}")" 5 "<=") (at $firearms, not 10M) |
| pattern search GET /v1/firearms/search | ${rps[pattern]}/s (p50 ${p50[pattern]}, p99 ${p99[pattern]}) | pgbench ${tps[pattern]}/s | $(ratio "${rps[pattern]}" "${tps[pattern]}") | ≥ 0.5: $(met "$(ratio "${rps[pattern]}" "${tps[pattern]}")" 0.5 ">="); p99 ≤ 50 ms: $(met "$(ms "${p99[pattern]}")" 50 "<=") |
| exact serial at a fixed load (half its maximum: $offered_exact/s offered) | ${rps[exact_paced]}/s (p50 ${p50[exact_paced]}, p99 ${p99[exact_paced]}) | | | p99 ≤ 5 ms: $(met "$(ms "${p99[exact_paced]}")" 5 "<=") (at $firearms) |
| pattern search at a fixed load (half its maximum: $offered_pattern/s offered) | ${rps[pattern_paced]}/s (p50 ${p50[pattern_paced]}, p99 ${p99[pattern_paced]}) | | | p99 ≤ 20 ms: $(met "$(ms "${p99[pattern_paced]}")" 20 "<=") (at $firearms) |
| firearm create POST /v1/firearms | ${rps[create]}/s (p50 ${p50[create]}, p99 ${p99[create]}; non-2xx ${bad[create]}) | pgbench ${tps[create]}/s | $(ratio "${rps[create]}" "${tps[create]}") | ≥ 0.5: $(met "$(ratio "${rps[create]}" "${tps[create]}")" 0.5 ">=") |
| event append POST /v1/firearms/{id}/events | ${rps[event]}/s (p50 ${p50[event]}, p99 ${p99[event]}; non-2xx ${bad[event]}) | pgbench ${tps[event]}/s | $(ratio "${rps[event]}" "${tps[event]}") | ≥ 0.5: $(met "$(ratio "${rps[event]}" "${tps[event]}")" 0.5 ">=") |
| case read GET /v1/cases/{id} | ${rps[case_read]}/s (p50 ${p50[case_read]}, p99 ${p99[case_read]}) | pgbench ${tps[case_read]}/s | $(ratio "${rps[case_read]}" "${tps[case_read]}") | ≥ 0.6: $(met "$(ratio "${rps[case_read]}" "${tps[case_read]}")" 0.6 ">=") |
| exhibit read GET /v1/exhibits/{id} | ${rps[exhibit_read]}/s (p50 ${p50[exhibit_read]}, p99 ${p99[exhibit_read]}) | pgbench ${tps[exhibit_read]}/s | $(ratio "${rps[exhibit_read]}" "${tps[exhibit_read]}") | ≥ 0.6: $(met "$(ratio "${rps[exhibit_read]}" "${tps[exhibit_read]}")" 0.6 ">=") |
| case create POST /v1/cases | ${rps[case_create]}/s (p50 ${p50[case_create]}, p99 ${p99[case_create]}; non-2xx ${bad[case_create]}) | pgbench ${tps[case_create]}/s | $(ratio "${rps[case_create]}" "${tps[case_create]}") | ≥ 0.5: $(met "$(ratio "${rps[case_create]}" "${tps[case_create]}")" 0.5 ">=") |
| initial import of $firearms rows (\`${import_flags:-incremental}\`; peak RSS ${import_rss_mb} MB) | $import_rate rows/s (${import_seconds}s) | COPY bare $copy_rate rows/s; COPY + SQL indexes $copy_indexed_rate rows/s | $(ratio "$import_rate" "$copy_rate") of COPY; $(ratio "$import_rate" "$copy_indexed_rate") of COPY+indexes | ≥ 0.25 × COPY: $(met "$(ratio "$import_rate" "$copy_rate")" 0.25 ">=") |
| incremental import of $incremental rows into the loaded registry | $more_rate rows/s (${more_seconds}s) | COPY + the same normalisation into the live table, its indexes maintained: $more_copy_rate rows/s | $(ratio "$more_rate" "$more_copy_rate") | ≥ 0.8: $(met "$(ratio "$more_rate" "$more_copy_rate")" 0.8 ">=") |
| ifcd audit verify | $verify_rate entries/s (${verified:-?} in ${verify_seconds}s) | | | ≥ 200k/s: $(met "$verify_rate" 200000 ">=") |
| peak RSS of ifcd serve | ${rss_mb} MB | | | ≤ 150 MB: $(met "$rss_mb" 150 "<=") |
| custody transfer + receipt (POST …/transfers, POST …/receipt) | $custody_pairs pairs/s (per request p50 ${p50[custody]}, p99 ${p99[custody]}; non-2xx ${bad[custody]}) | pgbench $custody_pg_pairs pairs/s | $(ratio "$custody_pairs" "$custody_pg_pairs") | ≥ 0.5: $(met "$(ratio "$custody_pairs" "$custody_pg_pairs")" 0.5 ">="); chains out of order after the run: ${custody_chain} |
trace create, incoming match, fuzzy search: in the tracing table below
import: $(head -1 "$dir/import.out" | head -c 200)
incremental import: $(head -1 "$dir/more.out" | head -c 200)
verify: $verify
plan of the pattern query ($pattern):
$plan
REPORT

# ---- 4. Tracing (issue 14): trace create, incoming match, fuzzy serial search ----
# wrk as above (median = p50, and p99) on the same registry: drafting an outgoing request; an
# incoming request matched on arrival (exact, confusable, pattern and fuzzy search over firearms
# and components, the candidates stored); GET /v1/firearms/search?fuzzy=true. Each serial is a
# registry serial with one character misread, as a foreign request would carry it.
log "tracing runs"
printf '%s\n' 'tracer passphrase 0123' | "$bin" user add tracer --role liaison --role analyst --role bulk_reader --password-stdin --data-dir "$data" >/dev/null
tracer_token="$("$bin" token issue tracer --ttl 4h --data-dir "$data")"
sql -At -c "SELECT serial_normalized FROM firearms WHERE serial_normalized IS NOT NULL ORDER BY random() LIMIT 5000" >"$dir/serials.txt"
deadline="$(date -u -d '+30 days' +%Y-%m-%d)"
cat >"$dir/misread.lua" <<LUA
wrk.headers["Content-Type"] = "application/json"
local serials = {}
for line in io.lines("$dir/serials.txt") do serials[#serials + 1] = line end
function misread()
    local s = serials[math.random(1, #serials)]
    local i = math.random(2, #s)
    return s:sub(1, i - 1) .. "X" .. s:sub(i + 1)
end
LUA
cat "$dir/misread.lua" - >"$dir/trace.lua" <<LUA
request = function()
    return wrk.format("POST", "/v1/traces", nil, '{"addressee":{"kind":"state","country":"US"},"channel":"etrace","requesting_officer":"Sgt. Bench","requesting_agency":"Bench Unit","firearm":{"make":"Glock","type":"pistol","calibre":"9x19mm","serial":"' .. misread() .. '"},"circumstances":{"recovered_on":"2025-03-01","recovery_country":"JM"},"legal_basis":"Firearms Act","illicit_nature":"crime scene","intended_use":"investigation","deadline":"$deadline"}')
end
LUA
cat "$dir/misread.lua" - >"$dir/incoming.lua" <<'LUA'
request = function()
    return wrk.format("POST", "/v1/traces/incoming", nil, '{"requesting_state":"TT","channel":"iarms","firearm":{"make":"Glock","type":"pistol","serial":"' .. misread() .. '"}}')
end
LUA
cat "$dir/misread.lua" - >"$dir/fuzzy.lua" <<'LUA'
request = function()
    return wrk.format("GET", "/v1/firearms/search?serial=" .. misread() .. "&fuzzy=true&limit=20")
end
LUA
wrk_as() { # token path script
    wrk -t2 -c"$connections" -d"${seconds}s" --latency -H "Authorization: Bearer $1" -s "$3" "http://127.0.0.1:$port$2" >"$dir/wrk.out"
    awk '/^ +50%/ {p50=$2} /^ +99%/ {p99=$2} /Requests\/sec/ {rps=$2} /Non-2xx/ {bad=$NF} END {print rps, p50, p99, bad + 0}' "$dir/wrk.out"
}
read -r trace_rps trace_p50 trace_p99 trace_bad < <(wrk_as "$tracer_token" / "$dir/trace.lua")
read -r incoming_rps incoming_p50 incoming_p99 incoming_bad < <(wrk_as "$tracer_token" / "$dir/incoming.lua")
read -r fuzzy_rps fuzzy_p50 fuzzy_p99 fuzzy_bad < <(wrk_as "$token" / "$dir/fuzzy.lua")
sample="$(head -1 "$dir/serials.txt")"; misread_sample="${sample:0:3}X${sample:4}"
fuzzy_plan="$(sql -At -c "SELECT set_config('pg_trgm.similarity_threshold', '0.25', false)" -c "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF)
        SELECT id FROM firearms WHERE serial_normalized % '$misread_sample' AND levenshtein_less_equal(serial_normalized, '$misread_sample', 2) <= 2")"
cat <<REPORT

| tracing benchmark | ifcd | median | p99 | non-2xx |
| --- | --- | --- | --- | --- |
| trace create POST /v1/traces | ${trace_rps}/s | ${trace_p50} | ${trace_p99} | ${trace_bad} |
| incoming match POST /v1/traces/incoming | ${incoming_rps}/s | ${incoming_p50} | ${incoming_p99} | ${incoming_bad} |
| fuzzy search GET /v1/firearms/search?fuzzy=true | ${fuzzy_rps}/s | ${fuzzy_p50} | ${fuzzy_p99} | ${fuzzy_bad} |
plan of the fuzzy candidates ($misread_sample):
$fuzzy_plan
REPORT

# ---- 5. Read audit group commit over the whole run (issue 15: from /metrics) ----
curl -s "http://127.0.0.1:$port/metrics" | awk '
    /^ifcd_audit_batch_entries_count / {n=$2} /^ifcd_audit_batch_entries_sum / {e=$2}
    /^ifcd_audit_flush_seconds_sum / {f=$2} /^ifcd_audit_flushes_in_flight_sum / {i=$2}
    END { if (n > 0) printf "\nread audit group commit: %d batches, %.1f entries per batch, %.2f ms per flush, %.2f flushes in flight\n", n, e / n, f * 1000 / n, i / n }'
