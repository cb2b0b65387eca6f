#!/usr/bin/env bash
# Runs the test suite on a fresh machine that has Swift: installs the PostgreSQL server binaries
# if missing, builds (the tests also run the built `ifcd` executable), then `swift test`.
# The tests start their own throwaway PostgreSQL cluster in /tmp and stop it when they end.
# Then, when no arguments are given, the reliability harness (Deploy/reliability/run.sh): crash
# and outage scenarios and IFCD_FUZZ_SECONDS (default 45) of spec fuzzing. IFCD_RELIABILITY=0 skips it.
set -euo pipefail
cd "$(dirname "$0")/.."
. Deploy/lib.sh
ensure_swift
ensure_postgres
swift build --build-tests
swift test --skip-build "$@"
if [ $# = 0 ] && [ "${IFCD_RELIABILITY:-1}" != 0 ]; then
    # The failure scenarios (kill -9 of ifcd and of the postmaster, a database outage; about 70 s)
    # and a short spec-fuzzing run, against the debug build made above.
    FUZZ_SECONDS="${IFCD_FUZZ_SECONDS:-45}" bash Deploy/reliability/run.sh
fi
