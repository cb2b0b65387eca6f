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
. Deploy/bench/common.sh
trap cleanup EXIT
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }
met() { awk -v v="$1" -v t="$2" -v op="$3" 'BEGIN { ok = (op == ">=") ? (v >= t) : (v <= t); print (ok ? "met" : "NOT met") }'; }
log() { echo "suite: $*" >&2; }

# The phases, in order: the data and its import baselines; the pgbench scripts and wrk Lua of
# every route; the API runs, verify and the report; the tracing runs and the group commit.
for phase in 1-data 2-scripts 3-runs 4-tracing; do
    . "Deploy/bench/suite/$phase.sh"
done
