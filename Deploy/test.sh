#!/usr/bin/env bash
# Runs the test suite on a fresh machine that has Swift: installs the PostgreSQL server binaries
# if missing, builds (the tests also run the built `ifcd` executable), then `swift test`.
# The tests start their own throwaway PostgreSQL cluster in /tmp and stop it when they end.
set -euo pipefail
cd "$(dirname "$0")/.."
. Deploy/lib.sh
ensure_swift
ensure_postgres
swift build --build-tests
swift test --skip-build "$@"
