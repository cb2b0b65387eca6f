#!/usr/bin/env bash
# Runs the test suite on a fresh machine that has Swift: installs the PostgreSQL server binaries
# if missing, builds (the tests also run the built `ifcd` executable), then `swift test`.
# The tests start their own throwaway PostgreSQL cluster in /tmp and stop it when they end.
# Then, when no arguments are given, a short spec-fuzzing run (Deploy/reliability/fuzz.sh) of
# IFCD_FUZZ_SECONDS seconds (default 45; 0 skips it).
set -euo pipefail
cd "$(dirname "$0")/.."
. Deploy/lib.sh
ensure_swift
ensure_postgres
swift build --build-tests
swift test --skip-build "$@"
if [ $# = 0 ] && [ "${IFCD_FUZZ_SECONDS:-45}" != 0 ]; then
    bash Deploy/reliability/fuzz.sh "${IFCD_FUZZ_SECONDS:-45}"
fi
