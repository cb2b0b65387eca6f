#!/usr/bin/env bash
# Audit sealing and verification, A/B in one run on the same data: BENCH_AUDIT entries (default
# 1,000,000) are inserted as the owner into a fresh data folder while `ifcd serve` runs, the sealer
# seals them, then `ifcd audit verify` walks the trail. Once with seals over runs of entries
# (audit.sealRunEntries 5000, the default) and once with a seal per entry (audit.sealRunEntries 1,
# as before runs). Reported: seal rows and their size, sealing rate, verify rate, and the ratios.
#
#   BENCH_AUDIT=1000000 bash Deploy/bench/audit.sh
#
# With BENCH_BASE_BIN (another ifcd build), `audit verify` of the first variant's trail is then
# timed with both binaries, alternately, BENCH_VERIFY_ROUNDS times each (default 3): an A/B of
# verify itself on the same data, medians reported.
set -euo pipefail
cd "$(dirname "$0")/../.."
. Deploy/lib.sh
ensure_swift
ensure_postgres
command -v psql >/dev/null 2>&1 || install_packages "postgresql-client" "postgresql" "postgresql@15" >&2
entries="${BENCH_AUDIT:-1000000}"
port="${BENCH_PORT:-18184}"
configuration="${IFCD_BUILD_CONFIGURATION:-release}"
if [ -n "${BENCH_BIN:-}" ]; then
    bin="$BENCH_BIN"  # an ifcd built elsewhere (e.g. with its own --scratch-path)
else
    swift build -c "$configuration" --product ifcd >&2
    bin="$(swift build -c "$configuration" --show-bin-path)/ifcd"
fi
dir="$(mktemp -d /tmp/ifcd-audit-bench.XXXXXX)"
chmod 711 "$dir"
serve_pid=""
. Deploy/bench/common.sh
trap cleanup EXIT
log() { echo "audit bench: $*" >&2; }

# One variant: prints "seal_rows seal_bytes seal_seconds verify_seconds verified".
variant() {
    local run_entries="$1" data="$dir/d$1"
    printf '%s\n' 'bench passphrase 0123' | "$bin" user add bench --role auditor --password-stdin --data-dir "$data" >/dev/null
    IFCD_LOG_LEVEL=warning IFCD_AUDIT_SEAL_RUN_ENTRIES="$run_entries" "$bin" serve --data-dir "$data" --port "$port" >"$dir/serve$1.log" 2>&1 &
    serve_pid=$!
    for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$port/ready" >/dev/null 2>&1 && break; sleep 0.1; done
    local pg_port owner_password
    pg_port="$(sed -n 4p "$data/pgdata/postmaster.pid")"
    owner_password="$(sed -E 's/.*"owner":"([^"]+)".*/\1/' "$data/secrets.json")"
    sql() { PGPASSWORD="$owner_password" psql -X -q -At -v ON_ERROR_STOP=1 -h "$data/run" -p "$pg_port" -U ifcd_owner -d ifcd "$@"; }
    # Entries shaped like read entries (the bulk of a real trail), in one transaction.
    sql -c "INSERT INTO audit_entries (actor, roles, action, record_type, record_id, request_id, outcome, detail)
            SELECT 'user' || (g % 50), '{analyst}', 'firearm.read', 'firearm', md5(g::text), md5((g * 7)::text), 'success',
                   jsonb_build_object('reference', 'FA-2026-' || lpad(g::text, 7, '0'))
            FROM generate_series(1, $entries) g"
    local start behind
    start="$(now)"
    for _ in $(seq 1 36000); do
        behind="$(sql -c "SELECT (SELECT max(seq) FROM audit_entries) - coalesce((SELECT max(coalesce(last_seq, entry_seq)) FROM audit_seals), 0)")"
        [ "$behind" = 0 ] && break
        sleep 0.1
    done
    local seal_seconds rows bytes
    seal_seconds="$(elapsed "$start" "$(now)")"
    rows="$(sql -c "SELECT count(*) FROM audit_seals")"
    bytes="$(sql -c "SELECT pg_total_relation_size('audit_seals')")"
    kill -TERM "$serve_pid"; wait "$serve_pid" || true; serve_pid=""
    start="$(now)"
    local out
    out="$("$bin" audit verify --data-dir "$data")"
    local verify_seconds
    verify_seconds="$(elapsed "$start" "$(now)")"
    echo "$rows $bytes $seal_seconds $verify_seconds $(echo "$out" | awk '/^ok/ { print $2 }')"
}

log "runs of entries (audit.sealRunEntries 5000)"
read -r runs_rows runs_bytes runs_seal runs_verify runs_verified < <(variant 5000)
log "a seal per entry (audit.sealRunEntries 1)"
read -r each_rows each_bytes each_seal each_verify each_verified < <(variant 1)
rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", n / s }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }
cat <<EOF
| $entries entries | seal rows | seal table | sealing | audit verify (whole CLI run) |
| --- | --- | --- | --- | --- |
| a seal per run (up to 5000) | $runs_rows | $((runs_bytes / 1048576)) MB | $(rate "$entries" "$runs_seal") entries/s ($runs_seal s) | $(rate "$runs_verified" "$runs_verify") entries/s ($runs_verify s) |
| a seal per entry (baseline) | $each_rows | $((each_bytes / 1048576)) MB | $(rate "$entries" "$each_seal") entries/s ($each_seal s) | $(rate "$each_verified" "$each_verify") entries/s ($each_verify s) |
| ratio (runs ÷ per entry) | $(ratio "$runs_rows" "$each_rows") | $(ratio "$runs_bytes" "$each_bytes") | $(ratio "$each_seal" "$runs_seal") | $(ratio "$each_verify" "$runs_verify") |
EOF

if [ -n "${BENCH_BASE_BIN:-}" ]; then
    rounds="${BENCH_VERIFY_ROUNDS:-3}"
    time_verify() { # binary: seconds of one whole `audit verify` run of the first variant's trail
        local start
        start="$(now)"
        "$1" audit verify --data-dir "$dir/d5000" >/dev/null
        elapsed "$start" "$(now)"
    }
    base_times=(); bin_times=()
    for _ in $(seq 1 "$rounds"); do
        base_times+=("$(time_verify "$BENCH_BASE_BIN")")
        bin_times+=("$(time_verify "$bin")")
    done
    median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
    base_median="$(median "${base_times[@]}")"; bin_median="$(median "${bin_times[@]}")"
    cat <<EOF

verify A/B on the same $runs_verified entries ($rounds alternating runs each; seconds: base ${base_times[*]}, this ${bin_times[*]}):
| audit verify (whole CLI run) | median | entries/s |
| --- | --- | --- |
| base ($BENCH_BASE_BIN) | $base_median s | $(rate "$runs_verified" "$base_median") |
| this build ($bin) | $bin_median s | $(rate "$runs_verified" "$bin_median") |
| ratio (this ÷ base, rate) | | $(ratio "$base_median" "$bin_median") |
EOF
fi
