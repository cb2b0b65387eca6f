# Shared by Deploy/run.sh and Deploy/test.sh: make sure this machine has what ifcd needs.
# Sourced, not run.

# Installs packages with the machine's package manager: install_packages APT DNF BREW, each a
# space-separated list (empty: nothing to install with that manager). Fails without a manager.
install_packages() {
    local sudo=""
    if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
    if command -v apt-get >/dev/null 2>&1 && [ -n "$1" ]; then
        $sudo apt-get update -q
        # shellcheck disable=SC2086
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends $1
    elif command -v dnf >/dev/null 2>&1 && [ -n "$2" ]; then
        # shellcheck disable=SC2086
        $sudo dnf install -y $2
    elif command -v brew >/dev/null 2>&1 && [ -n "$3" ]; then
        # shellcheck disable=SC2086
        brew install $3
    else
        return 1
    fi
}

# The PostgreSQL server binaries (initdb, pg_ctl, postgres) and pg_trgm (postgresql-contrib).
ensure_postgres() {
    if [ -n "${IFCD_PG_BIN:-}" ] && [ -x "$IFCD_PG_BIN/initdb" ]; then return 0; fi
    if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then return 0; fi
    if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then return 0; fi
    echo "ifcd: PostgreSQL server binaries not found; installing them" >&2
    install_packages "postgresql postgresql-contrib" "postgresql-server postgresql-contrib" "postgresql@15" || {
        echo "ifcd: install the PostgreSQL 15+ server binaries and contrib modules, or set IFCD_PG_BIN" >&2
        return 1
    }
}

ensure_swift() {
    if ! command -v swift >/dev/null 2>&1; then
        echo "ifcd: Swift 6.2 or newer is needed (https://www.swift.org/install/)" >&2
        return 1
    fi
}

# A Python 3 virtualenv at $1 (for the fuzzing and load tools from PyPI).
ensure_venv() {
    if [ -x "$1/bin/python" ]; then return 0; fi
    if ! python3 -m venv "$1" >/dev/null 2>&1; then
        rm -rf "$1"
        echo "ifcd: python3 venv not available; installing it" >&2
        install_packages "python3 python3-venv" "python3" "python" || true
        python3 -m venv "$1"
    fi
}
