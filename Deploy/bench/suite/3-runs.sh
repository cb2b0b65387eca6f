# One phase of Deploy/bench/suite.sh, sourced by it in order (its variables and helpers are the suite's).
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
tps[pattern_whole]="$(pgbench_tps "$dir/pattern-whole.sql")"
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
| GET /v1/firearms/{id} | ${rps[get]}/s (p50 ${p50[get]}, p99 ${p99[get]}) | pgbench ${tps[get]}/s | $(ratio "${rps[get]}" "${tps[get]}") | ≥ 1.0: $(met "$(ratio "${rps[get]}" "${tps[get]}")" 1.0 ">="), never < 0.6: $(met "$(ratio "${rps[get]}" "${tps[get]}")" 0.6 ">=") |
| exact serial GET /v1/firearms?serial= | ${rps[exact]}/s (p50 ${p50[exact]}, p99 ${p99[exact]}) | pgbench ${tps[exact]}/s | $(ratio "${rps[exact]}" "${tps[exact]}") | ≥ 1.0: $(met "$(ratio "${rps[exact]}" "${tps[exact]}")" 1.0 ">="), never < 0.6: $(met "$(ratio "${rps[exact]}" "${tps[exact]}")" 0.6 ">="); p99 ≤ 5 ms: $(met "$(ms "${p99[exact]}")" 5 "<=") (at $firearms, not 10M) |
| pattern search GET /v1/firearms/search | ${rps[pattern]}/s (p50 ${p50[pattern]}, p99 ${p99[pattern]}) | pgbench ${tps[pattern]}/s | $(ratio "${rps[pattern]}" "${tps[pattern]}") | ≥ 1.0: $(met "$(ratio "${rps[pattern]}" "${tps[pattern]}")" 1.0 ">="), never < 0.6: $(met "$(ratio "${rps[pattern]}" "${tps[pattern]}")" 0.6 ">="); p99 ≤ 50 ms: $(met "$(ms "${p99[pattern]}")" 50 "<=") |
| pattern search, against the route's whole work ($pattern_matches read entries, the components search) | ${rps[pattern]}/s | pgbench ${tps[pattern_whole]}/s | $(ratio "${rps[pattern]}" "${tps[pattern_whole]}") | |
| exact serial at a fixed load (half its maximum: $offered_exact/s offered) | ${rps[exact_paced]}/s (p50 ${p50[exact_paced]}, p99 ${p99[exact_paced]}) | | | p99 ≤ 5 ms: $(met "$(ms "${p99[exact_paced]}")" 5 "<=") (at $firearms) |
| pattern search at a fixed load (half its maximum: $offered_pattern/s offered) | ${rps[pattern_paced]}/s (p50 ${p50[pattern_paced]}, p99 ${p99[pattern_paced]}) | | | p99 ≤ 20 ms: $(met "$(ms "${p99[pattern_paced]}")" 20 "<=") (at $firearms) |
| firearm create POST /v1/firearms | ${rps[create]}/s (p50 ${p50[create]}, p99 ${p99[create]}; non-2xx ${bad[create]}) | pgbench ${tps[create]}/s | $(ratio "${rps[create]}" "${tps[create]}") | ≥ 0.5: $(met "$(ratio "${rps[create]}" "${tps[create]}")" 0.5 ">=") |
| event append POST /v1/firearms/{id}/events | ${rps[event]}/s (p50 ${p50[event]}, p99 ${p99[event]}; non-2xx ${bad[event]}) | pgbench ${tps[event]}/s | $(ratio "${rps[event]}" "${tps[event]}") | ≥ 0.5: $(met "$(ratio "${rps[event]}" "${tps[event]}")" 0.5 ">=") |
| case read GET /v1/cases/{id} | ${rps[case_read]}/s (p50 ${p50[case_read]}, p99 ${p99[case_read]}) | pgbench ${tps[case_read]}/s | $(ratio "${rps[case_read]}" "${tps[case_read]}") | ≥ 1.0: $(met "$(ratio "${rps[case_read]}" "${tps[case_read]}")" 1.0 ">="), never < 0.6: $(met "$(ratio "${rps[case_read]}" "${tps[case_read]}")" 0.6 ">=") |
| exhibit read GET /v1/exhibits/{id} | ${rps[exhibit_read]}/s (p50 ${p50[exhibit_read]}, p99 ${p99[exhibit_read]}) | pgbench ${tps[exhibit_read]}/s | $(ratio "${rps[exhibit_read]}" "${tps[exhibit_read]}") | ≥ 1.0: $(met "$(ratio "${rps[exhibit_read]}" "${tps[exhibit_read]}")" 1.0 ">="), never < 0.6: $(met "$(ratio "${rps[exhibit_read]}" "${tps[exhibit_read]}")" 0.6 ">=") |
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
