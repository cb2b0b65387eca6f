#!/usr/bin/env bash
# Issue 15, the exhibits module's hot paths, A/B on the same data in one run: each given ifcd
# binary serves the same data folder in turn. Routes (BENCH_ROUTES):
#   custody   the custody step: transfer + receipt pairs (POST …/transfers, POST …/receipt), one
#             exhibit per wrk connection, moved between two vaults, against pgbench running the
#             suite's naive same SQL (Deploy/bench/suite.sh's custody script);
#   exhibit   GET /v1/exhibits/{id}, against pgbench running token lookup, the read, one audit
#             INSERT, one commit;
#   case      POST /v1/cases (the forensic case create), against the suite's naive same SQL
#             (reference and insert, re-read, first version, audit entry).
#   caseread  GET /v1/cases/{id} of one restricted case (the bench exhibits belong to it), against
#             pgbench running token lookup, the read, one audit INSERT, one commit.
# The bench user is cleared to `restricted` (in SQL, once a binary with clearances has migrated:
# an older binary's `user add` has no --clearance). Needs curl, jq, wrk and pgbench.
# For each binary and route: API req/s, pgbench tps, their ratio, CPU per request from /proc
# (PostgreSQL's, all its processes, per API request and per pgbench transaction; and ifcd's), and
# the statements the server executed per request, counted from its log with log_statement = all
# over BENCH_COUNTED requests made one at a time after the load (BEGIN and COMMIT included).
#
#   bash Deploy/bench/custody-ab.sh LABEL=BINARY ...      e.g. base=/tmp/ifcd-base new=/tmp/ifcd-new
#
# Give binaries oldest schema first (a binary refuses a database migrated by a newer one).
# Env: BENCH_SECONDS (8), BENCH_CONNECTIONS (16), BENCH_PORT (18293), BENCH_ROUTES ("custody exhibit case caseread"),
#      BENCH_COUNTED (20).
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds="${BENCH_SECONDS:-8}"
connections="${BENCH_CONNECTIONS:-16}"
port="${BENCH_PORT:-18293}"
routes="${BENCH_ROUTES:-custody exhibit case caseread}"
counted="${BENCH_COUNTED:-20}"
[ $# -ge 1 ] || { sed -n 2,18p "$0" >&2; exit 2; }
dir="$(mktemp -d /tmp/ifcd-custody-ab.XXXXXX)"
chmod 711 "$dir"
data="$dir/d"
serve_pid=""
log() { echo "custody-ab: $*" >&2; }
. Deploy/bench/common.sh
trap cleanup EXIT
start_serve() { # binary
    IFCD_LOG_LEVEL=warning "$1" serve --data-dir "$data" --port "$port" >>"$dir/serve.log" 2>&1 &
    serve_pid=$!
    for _ in $(seq 1 600); do curl -sf "http://127.0.0.1:$port/ready" >/dev/null 2>&1 && return 0; sleep 0.1; done
    log "ifcd did not become ready"; tail -20 "$dir/serve.log" >&2; exit 1
}

first="${1#*=}"
printf '%s\n' 'bench passphrase 0123' | "$first" user add bench --role clerk --role analyst --role examiner --role bulk_reader \
    --password-stdin --data-dir "$data" >/dev/null
start_serve "$first"
pg_port="$(sed -n 4p "$data/pgdata/postmaster.pid")"
owner_password="$(sed -E 's/.*"owner":"([^"]+)".*/\1/' "$data/secrets.json")"
app_password="$(sed -E 's/.*"app":"([^"]+)".*/\1/' "$data/secrets.json")"
sql() { PGPASSWORD="$owner_password" psql -X -q -v ON_ERROR_STOP=1 -h "$data/run" -p "$pg_port" -U ifcd_owner -d ifcd "$@"; }
token="$("$first" token issue bench --ttl 4h --data-dir "$data")"
user_id="$(sql -At -c "SELECT id FROM users WHERE username = 'bench'")"
token_hash="$(printf '%s' "$token" | sha256sum | cut -d' ' -f1)"
lookup="SELECT t.id, u.id, u.username, u.roles FROM auth_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = '\\x$token_hash'::bytea AND t.revoked_at IS NULL AND t.expires_at > now() AND NOT u.disabled;"
case_body='{"submitting_agency":"JCF Major Investigation Taskforce","officer":"Insp. Campbell","agency_case_number":"MIT-2025-114","offence":"shooting with intent","incident_on":"'"$(date -u -d '30 days ago' +%Y-%m-%d)"'","incident_country":"JM","incident_place":"Spanish Town","received_on":"'"$(date -u -d '20 days ago' +%Y-%m-%d)"'","confidentiality":"restricted","requested_examinations":["comparison","operability"]}'
# A-B fix: the bench exhibits (and the caseread route) belong to one real restricted case,
# created through the first binary's API; a case id naming no case hides its exhibits (404) from
# a binary with need-to-know.
bench_case="$(curl -sf -H "Authorization: Bearer $token" -H 'Content-Type: application/json' -d "$case_body" \
    "http://127.0.0.1:$port/v1/cases" | jq -r .id)"
[ -n "$bench_case" ] && [ "$bench_case" != null ] || { log "could not create the bench case"; exit 1; }
log "bench case $bench_case"
audit_insert() { # action record_id
    echo "INSERT INTO audit_entries (actor, actor_id, roles, action, record_type, record_id, request_id, outcome) VALUES ('bench', '$user_id', '{examiner}', '$1', 'exhibit', $2, 'pgbench', 'success');"
}

# The suite's custody data and scripts (see Deploy/bench/suite.sh): exhibits 1..clients for
# pgbench, clients+1..2*clients for wrk, one more (the last) for the counted requests, and a few
# thousand exhibits with chains of a few entries around them so that the tables are not tiny.
exhibits=$((2 * connections + 1))
# One transaction: an exhibit and its intake entry commit together (migration 0042).
sql -1 -c "INSERT INTO exhibits (id, reference, barcode, kind, case_id, description, quantity, received_on, custodian_kind, custodian, created_by)
        SELECT ('00000000-0000-4000-9000-' || lpad(i::text, 12, '0'))::uuid, ifcd_reference('EX', 6, extract(year FROM now())::int), 'BENCH-' || i, 'cartridge_case',
               CASE WHEN i <= $exhibits + 100 THEN '$bench_case'::uuid ELSE gen_random_uuid() END, 'bench cartridge case', 1, current_date, 'location', 'Bench vault B', 'bench'
        FROM generate_series(1, $exhibits + 5000) i" \
    -c "INSERT INTO exhibit_custody (exhibit_id, seq, event, recorded_by, custodian_kind, custodian, at)
        SELECT id, 1, 'intake', 'bench', 'location', 'Bench vault B', now() FROM exhibits WHERE barcode LIKE 'BENCH-%'" \
    -c "INSERT INTO exhibit_versions (exhibit_id, version, record, change, changed_by)
        SELECT id, 1, to_jsonb(e), 'received into the lab', 'bench' FROM exhibits e WHERE barcode LIKE 'BENCH-%'" >/dev/null
sql -c "VACUUM ANALYZE exhibits, exhibit_custody, exhibit_versions, exhibit_transfers" >/dev/null
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
pg_exhibit="('00000000-0000-4000-9000-' || lpad((:client_id + 1)::text, 12, '0'))::uuid"
{ custody_send "$pg_exhibit" "Bench vault B" "Bench vault A"; custody_send "$pg_exhibit" "Bench vault A" "Bench vault B"; } >"$dir/custody.sql"
read_exhibit="00000000-0000-4000-9000-$(printf '%012d' $((exhibits + 100)))"
printf 'BEGIN;\n%s\nSELECT * FROM exhibits WHERE id = %s;\n%s\nCOMMIT;\n' "$lookup" "'$read_exhibit'" \
    "$(audit_insert exhibit.read "'$read_exhibit'")" >"$dir/exhibit.sql"
case_insert="INSERT INTO forensic_cases (id, reference, submitting_agency, officer, agency_case_number, offence, incident_on, incident_country, incident_place, received_on, confidentiality, requested_examinations, seizure_ids, notes, created_by)"
cat >"$dir/case.sql" <<SQL
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
printf 'BEGIN;\n%s\nSELECT * FROM forensic_cases WHERE id = %s;\n%s\nCOMMIT;\n' "$lookup" "'$bench_case'" \
    "INSERT INTO audit_entries (actor, actor_id, roles, action, record_type, record_id, request_id, outcome) VALUES ('bench', '$user_id', '{examiner}', 'case.read', 'case', '$bench_case', 'pgbench', 'success');" >"$dir/caseread.sql"
cat >"$dir/case.lua" <<LUA
wrk.headers["Content-Type"] = "application/json"
request = function() return wrk.format("POST", "/v1/cases", nil, '$case_body') end
LUA
# Where each wrk thread's exhibit is is kept in a file between binaries: B at the start.
cat >"$dir/custody.lua" <<LUA
wrk.headers["Content-Type"] = "application/json"
local next_exhibit = $connections
function setup(thread) next_exhibit = next_exhibit + 1; thread:set("eid", string.format("00000000-0000-4000-9000-%012d", next_exhibit)) end
local tid = nil
local held = nil
local target = nil
local function state_file() return "$dir/held-" .. eid end  -- written by settle() before the run
request = function()
    if held == nil then
        local f = io.open(state_file(), "r")
        held = f and f:read("*l") or "B"
        if f then f:close() end
    end
    if tid == nil then
        target = (held == "A") and "B" or "A"
        return wrk.format("POST", "/v1/exhibits/" .. eid .. "/transfers", nil,
            '{"to_location":"Bench vault ' .. target .. '","purpose":"bench","seal_intact":true}')
    end
    return wrk.format("POST", "/v1/exhibits/" .. eid .. "/transfers/" .. tid .. "/receipt", nil, '{"seal_intact":true}')
end
response = function(status, headers, body)
    if status == 201 then tid = body:match('"id":"([0-9a-f-]+)"')
    elseif status == 200 and tid ~= nil then
        tid = nil; held = target
        local f = io.open(state_file(), "w"); f:write(held); f:close()
    end
end
LUA

postmaster() { sed -n 1p "$data/pgdata/postmaster.pid"; }
pg_ticks() { local pm; pm="$(postmaster)"; ticks "$pm" $(pgrep -P "$pm"); }
us_per() { awk -v t="$1" -v n="$2" -v hz="$hz" 'BEGIN { if (n > 0) printf "%.0f", t * 1e6 / hz / n; else print "-" }'; }
wrk_run() { # route -> rps requests non2xx pg_ticks ifcd_ticks
    local pg0 if0
    pg0="$(pg_ticks)"; if0="$(ticks "$serve_pid")"
    case "$1" in
        custody) wrk -t"$connections" -c"$connections" -d"${seconds}s" -H "Authorization: Bearer $token" -s "$dir/custody.lua" \
                     "http://127.0.0.1:$port/" >"$dir/wrk.out" ;;
        exhibit) wrk -t2 -c"$connections" -d"${seconds}s" -H "Authorization: Bearer $token" \
                     "http://127.0.0.1:$port/v1/exhibits/$read_exhibit" >"$dir/wrk.out" ;;
        caseread) wrk -t2 -c"$connections" -d"${seconds}s" -H "Authorization: Bearer $token" \
                      "http://127.0.0.1:$port/v1/cases/$bench_case" >"$dir/wrk.out" ;;
        case) wrk -t2 -c"$connections" -d"${seconds}s" -H "Authorization: Bearer $token" -s "$dir/case.lua" \
                  "http://127.0.0.1:$port/" >"$dir/wrk.out" ;;
    esac
    echo "$(awk '/requests in/ {n=$1} /Requests\/sec/ {rps=$2} /Non-2xx/ {bad=$NF} END {printf "%.0f %d %d", rps, n, bad + 0}' "$dir/wrk.out") \
$(( $(pg_ticks) - pg0 )) $(( $(ticks "$serve_pid") - if0 ))"
}
pgbench_run() { # script -> tps transactions pg_ticks
    local pg0; pg0="$(pg_ticks)"
    PGPASSWORD="$app_password" pgbench -n -M prepared -c "$connections" -j 2 -T "$seconds" \
        -h "$data/run" -p "$pg_port" -U ifcd_app -f "$1" ifcd >"$dir/pgbench.out" 2>"$dir/pgbench.err" || true
    echo "$(awk '/^tps/ {tps=$3} /actually processed/ {n=$NF} END {printf "%.0f %d", tps, n}' "$dir/pgbench.out") $(( $(pg_ticks) - pg0 ))"
}
# Statements per request: the server logs every statement it executes (log_statement = all, set
# in postgresql.auto.conf and reloaded) while `counted` requests are made one at a time.
statement_log() { # on|off
    sed -i '/^log_statement/d' "$data/pgdata/postgresql.auto.conf"
    [ "$1" = on ] && echo "log_statement = 'all'" >>"$data/pgdata/postgresql.auto.conf"
    kill -HUP "$(postmaster)"; sleep 0.5
}
count_statements() { # route -> statements per request (the whole log's statements from ifcd_app sessions / requests)
    local before exhibit="00000000-0000-4000-9000-$(printf '%012d' "$exhibits")" out tid i
    statement_log on
    before="$(wc -l <"$data/log/postgres.log")"
    for i in $(seq 1 "$counted"); do
        case "$1" in
            custody)
                if [ $((i % 2)) = 1 ]; then
                    out="$(curl -s -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
                        -d '{"to_location":"Bench vault C","purpose":"bench","seal_intact":true}' "http://127.0.0.1:$port/v1/exhibits/$exhibit/transfers")"
                    tid="$(printf '%s' "$out" | sed -E 's/.*"id":"([0-9a-f-]+)".*/\1/')"
                else
                    curl -s -o /dev/null -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
                        -d '{"seal_intact":true}' "http://127.0.0.1:$port/v1/exhibits/$exhibit/transfers/$tid/receipt"
                    # Back to vault B (counted out below: one pair of the same two requests).
                    out="$(curl -s -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
                        -d '{"to_location":"Bench vault B","purpose":"bench","seal_intact":true}' "http://127.0.0.1:$port/v1/exhibits/$exhibit/transfers")"
                    tid="$(printf '%s' "$out" | sed -E 's/.*"id":"([0-9a-f-]+)".*/\1/')"
                    curl -s -o /dev/null -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
                        -d '{"seal_intact":true}' "http://127.0.0.1:$port/v1/exhibits/$exhibit/transfers/$tid/receipt"
                fi ;;
            exhibit) curl -s -o /dev/null -H "Authorization: Bearer $token" "http://127.0.0.1:$port/v1/exhibits/$read_exhibit" ;;
            caseread) curl -s -o /dev/null -H "Authorization: Bearer $token" "http://127.0.0.1:$port/v1/cases/$bench_case" ;;
            case) curl -s -o /dev/null -H "Authorization: Bearer $token" -H 'Content-Type: application/json' -d "$case_body" \
                      "http://127.0.0.1:$port/v1/cases" ;;
        esac
    done
    sleep 0.5
    statement_log off
    local requests="$counted"
    [ "$1" = custody ] && requests=$((counted * 2))
    tail -n +"$((before + 1))" "$data/log/postgres.log" >"$dir/statements-$1.log"
    # The application's statements only (the sealer's run on their own schedule).
    awk -v n="$requests" '/ifcd_app@ifcd LOG:  (statement|execute)/ {s++} END { printf "%.1f", s / n }' "$dir/statements-$1.log"
}
# Before each custody run: every wrk exhibit held (a run may stop with a transfer open: it is
# received), and where it is written down for custody.lua.
settle() {
    local i eid tid where
    for i in $(seq $((connections + 1)) $((2 * connections))); do
        eid="00000000-0000-4000-9000-$(printf '%012d' "$i")"
        tid="$(curl -s -H "Authorization: Bearer $token" "http://127.0.0.1:$port/v1/exhibits/$eid/custody" |
               sed -nE 's/.*"open_transfer":\{[^}]*"id":"([0-9a-f-]+)".*/\1/p')"
        [ -n "$tid" ] && curl -s -o /dev/null -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
            -d '{"seal_intact":true}' "http://127.0.0.1:$port/v1/exhibits/$eid/transfers/$tid/receipt"
        where="$(curl -s -H "Authorization: Bearer $token" "http://127.0.0.1:$port/v1/exhibits/$eid" |
                 sed -nE 's/.*"custodian":"Bench vault ([AB])".*/\1/p')"
        echo "${where:-B}" >"$dir/held-$eid"
    done
}
stop_serve

echo "| binary | route | API req/s | non-2xx | pgbench tps | ratio | statements per request | PostgreSQL CPU µs per API request | per pgbench request's work | ifcd CPU µs per request |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
for spec in "$@"; do
    label="${spec%%=*}"; binary="${spec#*=}"
    log "$label: $binary — load: $(cut -d' ' -f1-3 /proc/loadavg)"
    start_serve "$binary"
    pg_port="$(sed -n 4p "$data/pgdata/postmaster.pid")"
    # A-B fix: a binary with need-to-know (users.clearance) hides a restricted case and its
    # exhibits from a `standard` user: the bench user is cleared to `restricted`.
    if [ "$(sql -At -c "SELECT count(*) FROM information_schema.columns WHERE table_name = 'users' AND column_name = 'clearance'")" = 1 ]; then
        sql -c "UPDATE users SET clearance = 'restricted' WHERE username = 'bench'"; sleep 1
    fi
    # The bench exhibits are held in a vault: a binary with the evidence officer's rule (0041)
    # lets only that role move them.
    if [ "$(sql -At -c "SELECT count(*) FROM pg_constraint WHERE conname = 'users_roles_check' AND pg_get_constraintdef(oid) LIKE '%evidence_officer%'")" = 1 ]; then
        sql -c "UPDATE users SET roles = array_append(roles, 'evidence_officer') WHERE username = 'bench' AND NOT roles @> '{evidence_officer}'"; sleep 1
    fi
    log "$label: GET exhibit $(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" "http://127.0.0.1:$port/v1/exhibits/$read_exhibit"), GET case $(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" "http://127.0.0.1:$port/v1/cases/$bench_case"), clearance $(curl -s -H "Authorization: Bearer $token" "http://127.0.0.1:$port/v1/me" | jq -r '.clearance // "n/a"')"
    wrk -t2 -c"$connections" -d2s -H "Authorization: Bearer $token" "http://127.0.0.1:$port/v1/exhibits/$read_exhibit" >/dev/null  # warm-up
    for route in $routes; do
        [ "$route" = custody ] && settle
        read -r rps requests bad pg_api ifcd_api < <(wrk_run "$route")
        read -r tps transactions pg_bench < <(pgbench_run "$dir/$route.sql")
        [ "${tps:-0}" != 0 ] || { log "pgbench failed for $route:"; cat "$dir/pgbench.err" >&2; tps=0; }
        # pgbench's custody transaction is two pairs (four requests' work); ratios are per pair.
        per=1; [ "$route" = custody ] && per=4
        statements="$(count_statements "$route")"
        echo "| $label | $route | $rps | $bad | $tps | $(awk -v a="$rps" -v b="$tps" -v p="$per" 'BEGIN { if (b > 0) printf "%.2f", a / (b * p); else print "-" }') \
| $statements | $(us_per "$pg_api" "$requests") | $(us_per "$pg_bench" "$((transactions * per))") | $(us_per "$ifcd_api" "$requests") |"
    done
    chains="$(sql -At -c "SELECT count(*) FILTER (WHERE bad) FROM (SELECT seq <> row_number() OVER (PARTITION BY exhibit_id ORDER BY seq) AS bad FROM exhibit_custody) c")"
    versions="$(sql -At -c "SELECT count(*) FROM exhibits e WHERE e.barcode LIKE 'BENCH-%' AND NOT EXISTS (SELECT 1 FROM exhibit_versions v WHERE v.exhibit_id = e.id AND v.version = e.version)")"
    echo "$label: custody chains out of order $chains; exhibits whose current version is not kept $versions" >>"$dir/checks.txt"
    stop_serve
done
echo; sed 's/^/- /' "$dir/checks.txt"
