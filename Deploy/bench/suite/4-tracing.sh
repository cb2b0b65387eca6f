# One phase of Deploy/bench/suite.sh, sourced by it in order (its variables and helpers are the suite's).
# ---- 4. Tracing (issue 14): trace create, incoming match, fuzzy serial search ----
# wrk as above (median = p50, and p99) on the same registry: drafting an outgoing request; an
# incoming request matched on arrival (exact, confusable, pattern and fuzzy search over firearms
# and components, the candidates stored); GET /v1/firearms/search?fuzzy=true. Each serial is a
# registry serial with one character misread, as a foreign request would carry it.
log "tracing runs"
printf '%s\n' 'tracer passphrase 0123' | "$bin" user add tracer --clearance restricted --role liaison --role analyst --role bulk_reader --password-stdin --data-dir "$data" >/dev/null
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
