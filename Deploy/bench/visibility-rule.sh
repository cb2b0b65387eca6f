#!/usr/bin/env bash
# Issue 24's need-to-know rule as PostgreSQL runs it, without HTTP: pgbench -M prepared runs, on
# one database with 20,000 cases of every level, the case read's statement without the rule
# (baseline), with the rule as the given binary's migrations define it (`forensic_case_visible`)
# for a restricted and a secret case, and the lists' rule by case id (`forensic_case_visible_to`).
# Each figure is printed as a ratio against the baseline of the same run.
#
#   bash Deploy/bench/visibility-rule.sh BINARY        e.g. .build/release/ifcd
#
# Env: BENCH_SECONDS (4 per statement), BENCH_CLIENTS (2), BENCH_PORT (18311). Needs curl, pgbench.
set -euo pipefail
cd "$(dirname "$0")/../.."
[ $# -eq 1 ] || { sed -n 2,10p "$0" >&2; exit 2; }
binary="$1"
seconds="${BENCH_SECONDS:-4}"
clients="${BENCH_CLIENTS:-2}"
port="${BENCH_PORT:-18311}"
dir="$(mktemp -d /tmp/ifcd-visibility.XXXXXX)"
chmod 711 "$dir"
data="$dir/d"
serve_pid=""
. Deploy/bench/common.sh
trap cleanup EXIT

printf '%s\n' 'bench passphrase 0123' | "$binary" user add bench --role analyst --role examiner --password-stdin --data-dir "$data" >/dev/null
IFCD_LOG_LEVEL=warning "$binary" serve --data-dir "$data" --port "$port" >>"$dir/serve.log" 2>&1 &
serve_pid=$!
for _ in $(seq 1 600); do curl -sf "http://127.0.0.1:$port/ready" >/dev/null 2>&1 && break; sleep 0.1; done
curl -sf "http://127.0.0.1:$port/ready" >/dev/null || { tail -20 "$dir/serve.log" >&2; exit 1; }
pg_port="$(sed -n 4p "$data/pgdata/postmaster.pid")"
export PGPASSWORD="$(sed -E 's/.*"owner":"([^"]+)".*/\1/' "$data/secrets.json")"
sql() { psql -X -q -v ON_ERROR_STOP=1 -h "$data/run" -p "$pg_port" -U ifcd_owner -d ifcd "$@"; }
sql -c "INSERT INTO forensic_cases (id, reference, submitting_agency, officer, agency_case_number, offence, incident_on, incident_country,
                                    incident_place, received_on, confidentiality, requested_examinations, seizure_ids, notes, created_by)
        SELECT gen_random_uuid(), ifcd_reference('FC', 6, extract(year FROM now())::int), 'JCF', 'Insp. Campbell', 'MIT-' || i, 'shooting',
               current_date - 30, 'JM', 'Spanish Town', current_date - 20, (ARRAY['standard', 'restricted', 'confidential', 'secret'])[1 + i % 4],
               '{comparison}', '{}', NULL, 'bench'
        FROM generate_series(1, 20000) i" -c "ANALYZE forensic_cases"
user_id="$(sql -At -c "SELECT id FROM users WHERE username = 'bench'")"
restricted="$(sql -At -c "SELECT id FROM forensic_cases WHERE confidentiality = 'restricted' LIMIT 1")"
secret="$(sql -At -c "SELECT id FROM forensic_cases WHERE confidentiality = 'secret' LIMIT 1")"
echo "SELECT * FROM forensic_cases c WHERE c.id = '$restricted';" >"$dir/baseline.sql"
echo "SELECT *, forensic_case_visible(c.id, c.confidentiality, '$user_id'::uuid, 'restricted', false) FROM forensic_cases c WHERE c.id = '$restricted';" >"$dir/restricted.sql"
echo "SELECT *, forensic_case_visible(c.id, c.confidentiality, '$user_id'::uuid, 'secret', false) FROM forensic_cases c WHERE c.id = '$secret';" >"$dir/secret.sql"
echo "SELECT forensic_case_visible_to('$restricted', '$user_id'::uuid, 'restricted', false);" >"$dir/by-id.sql"
tps() { pgbench -n -M prepared -c "$clients" -j "$clients" -T "$seconds" -f "$dir/$1.sql" -h "$data/run" -p "$pg_port" -U ifcd_owner ifcd 2>/dev/null \
        | sed -n 's/^tps = \([0-9.]*\).*/\1/p'; }
base="$(tps baseline)"
printf '%-40s %10s %6s\n' statement tps ratio
printf '%-40s %10.0f %6s\n' "the case read without the rule" "$base" "1.00"
for name in restricted secret by-id; do
    t="$(tps "$name")"
    printf '%-40s %10.0f %6.2f\n' "with the rule: $name" "$t" "$(awk -v a="$t" -v b="$base" 'BEGIN { print a / b }')"
done
