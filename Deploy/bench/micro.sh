#!/usr/bin/env bash
# In-process benchmarks of the hot handlers (issue 15): wall time, CPU and malloc calls per call of
# the firearm read's answer encoding, the create body's decoding (JSONBody + TextRule), serial
# normalisation, the read's audit entries, the exact-serial list's query parsing, and whole
# requests through the daemon's router (/health, /openapi.json); no database. They live in
# Benchmarks/, a package of its own (package-benchmark), so the daemon's build never pulls it.
# The first release build of that package takes 20-35 minutes on two cores; later ones rebuild
# only what changed.
#
#   bash Deploy/bench/micro.sh                  build in release, run every benchmark
#   bash Deploy/bench/micro.sh baseline NAME    run, and keep the results as baseline NAME
#   bash Deploy/bench/micro.sh compare NAME     run, and compare against baseline NAME (A/B)
#   bash Deploy/bench/micro.sh compare A B      compare two kept baselines, no run
#   bash Deploy/bench/micro.sh list             the kept baselines
#
# e.g. `micro.sh baseline main`, change the code, `micro.sh compare main`. Arguments after `--`
# go to package-benchmark (`-- --filter "firearm.*"`, `-- --format markdown`). Baselines are kept
# in Benchmarks/.benchmarkBaselines (not committed). Malloc counts come from package-benchmark's
# malloc interposer (Swift 6.3): jemalloc is not needed.
set -euo pipefail
cd "$(dirname "$0")/../../Benchmarks"
command="${1:-run}"
[ $# -gt 0 ] && shift
names=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do names+=("$1"); shift; done
[ "${1:-}" = "--" ] && shift
extra=("$@")
bench() { swift package --allow-writing-to-package-directory benchmark "$@" --no-progress; }
case "$command" in
    run) bench "${extra[@]}" ;;
    baseline)
        [ ${#names[@]} -eq 1 ] || { echo "usage: micro.sh baseline NAME" >&2; exit 2; }
        bench baseline update "${names[0]}" "${extra[@]}"
        bench baseline read "${names[0]}" "${extra[@]}" ;;
    compare)
        case ${#names[@]} in
            1|2) bench baseline compare "${names[@]}" "${extra[@]}" ;;
            *) echo "usage: micro.sh compare NAME [OTHER]" >&2; exit 2 ;;
        esac ;;
    list) bench baseline list ;;
    *) sed -n 2,20p "$0" >&2; exit 2 ;;
esac
