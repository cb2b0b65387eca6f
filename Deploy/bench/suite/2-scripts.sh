# One phase of Deploy/bench/suite.sh, sourced by it in order (its variables and helpers are the suite's).
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
# The pattern route's whole work, beside the naive script above: it also searches components'
# serials, and writes one read entry per firearm it returns (not one per request).
pattern_matches="$(sql -At -c "SELECT count(*) FROM (SELECT 1 FROM firearms WHERE serial_normalized LIKE '$like' LIMIT 20) m")"
cat >"$dir/pattern-whole.sql" <<SQL
BEGIN;
$lookup
SELECT * FROM firearms WHERE serial_normalized LIKE '$like' ORDER BY (serial_normalized = '$bare') DESC, similarity(serial_normalized, '$bare') DESC, reference LIMIT 20;
SELECT * FROM components WHERE serial_normalized LIKE '$like' ORDER BY (serial_normalized = '$bare') DESC, similarity(serial_normalized, '$bare') DESC, reference LIMIT 20;
INSERT INTO audit_entries (actor, actor_id, roles, action, record_type, record_id, request_id, outcome, detail)
  SELECT 'bench', '$user_id', '{clerk,analyst}', 'firearm.search', 'firearm', '$firearm_id', 'pgbench', 'success', '{"query":{"pattern":"$bare"}}'
  FROM generate_series(1, greatest($pattern_matches, 1));
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
# One transaction: an exhibit and its intake entry commit together (migration 0042).
sql -1 -c "INSERT INTO exhibits (id, reference, barcode, kind, case_id, description, quantity, received_on, custodian_kind, custodian, created_by)
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
