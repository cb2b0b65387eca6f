# Helpers the A/B bench scripts share (sourced; they set `dir` and `serve_pid` first).
# stop_serve/cleanup end the daemon a script started and remove its folder (BENCH_KEEP keeps it);
# ticks reads CPU time from /proc, the postmaster's reaped children included.
stop_serve() {
    if [ -n "$serve_pid" ]; then kill -TERM "$serve_pid" 2>/dev/null || true; wait "$serve_pid" 2>/dev/null || true; serve_pid=""; fi
}
cleanup() { stop_serve; if [ -z "${BENCH_KEEP:-}" ]; then rm -rf "$dir"; else echo "kept $dir" >&2; fi; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
per_second() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", n / s }'; }
hz="$(getconf CLK_TCK)"
ticks() { # pid...: utime+stime (+ reaped children's for the first, the postmaster) in clock ticks
    local total=0 first=1 pid
    local -a f
    for pid in "$@"; do
        # Fields after the command's ")" start at state (3): utime 14, stime 15, cutime 16, cstime 17.
        f=($(sed 's/^.*) //' "/proc/$pid/stat" 2>/dev/null)) || true
        if [ "${#f[@]}" -gt 14 ]; then
            total=$((total + f[11] + f[12]))
            [ "$first" = 1 ] && total=$((total + f[13] + f[14]))
        fi
        first=0
    done
    echo "$total"
}
