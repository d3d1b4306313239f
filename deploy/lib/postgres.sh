#!/usr/bin/env bash
# PostgreSQL for the deploy scripts. Source it; do not run it.
#   ensure_postgres            use the server on IMI_PG_HOST:IMI_PG_PORT, or start the Debian
#                              cluster on that port, or a private cluster under var/postgres;
#                              exports IMI_TEST_PG_URI (user postgres, no password).
#   stop_postgres_if_started   stop only what this shell started.

# shellcheck source=deploy/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

_IMI_PG_DIR="$IMI_ROOT/var/postgres"
_IMI_PG_STARTED= # "private", or "debian VERSION NAME"

_imi_pg_answers() {
    if command -v pg_isready >/dev/null 2>&1; then
        pg_isready -q -t 3 -h "$1" -p "$2"
    else
        imi_tcp_open "$1" "$2"
    fi
}

_imi_pg_uri() {
    printf 'postgresql://postgres@%s:%s/\n' "$1" "$2"
}

# True when user postgres can log in without a password (what the tests expect).
_imi_pg_connects() {
    PGCONNECT_TIMEOUT=5 psql -X -Atq -d "$(_imi_pg_uri "$1" "$2")postgres" -c 'select 1' \
        >/dev/null 2>&1
}

# The newest installed server's bin directory, or nothing.
_imi_pg_bindir() {
    local d
    d=$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin -type d 2>/dev/null |
        sort -V | tail -n 1)
    [[ -n $d && -x $d/initdb ]] && echo "$d"
}

# Run as the postgres OS user when we are root (the server refuses to run as root).
_imi_as_pg() {
    if [[ $(id -u) -eq 0 ]]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

_imi_pg_private_data() {
    echo "$(readlink -f "$_IMI_PG_DIR")/data"
}

# Prints the port of our private cluster if it is running.
_imi_pg_private_running() {
    local bindir data
    bindir=$(_imi_pg_bindir) || return 1
    data=$(_imi_pg_private_data)
    [[ -f $data/postmaster.pid ]] || return 1
    _imi_as_pg "$bindir/pg_ctl" -D "$data" status >/dev/null 2>&1 || return 1
    sed -n 4p "$data/postmaster.pid"
}

_imi_pg_start_private() {
    local port=$1 bindir data
    bindir=$(_imi_pg_bindir) || imi_die "no PostgreSQL server binaries found" || return 1
    if [[ $(id -u) -eq 0 ]]; then
        # A link left to a temporary directory that is gone since is dropped.
        if [[ -L $_IMI_PG_DIR && ! -d $_IMI_PG_DIR ]]; then
            rm -f "$_IMI_PG_DIR"
        fi
        mkdir -p "$_IMI_PG_DIR"
        chown postgres: "$(readlink -f "$_IMI_PG_DIR")"
        # The postgres user must reach var/postgres; where a parent directory is closed
        # to it (a checkout under /root), keep the cluster in a temporary directory.
        if ! runuser -u postgres -- test -w "$(readlink -f "$_IMI_PG_DIR")"; then
            local tmp
            tmp=$(mktemp -d -t imi-postgres.XXXXXX)
            chown postgres: "$tmp"
            rm -rf "$_IMI_PG_DIR"
            ln -s "$tmp" "$_IMI_PG_DIR"
        fi
    else
        mkdir -p "$_IMI_PG_DIR"
    fi
    data=$(_imi_pg_private_data)
    local log
    log="$(readlink -f "$_IMI_PG_DIR")/postgres.log"
    if [[ ! -f $data/PG_VERSION ]]; then
        _imi_as_pg "$bindir/initdb" -D "$data" -U postgres --auth=trust --no-locale -E UTF8 \
            >"$log.initdb" 2>&1 || {
            cat "$log.initdb" >&2
            imi_die "initdb failed"
            return 1
        }
    fi
    imi_log "starting a private PostgreSQL cluster on 127.0.0.1:$port (var/postgres/)"
    # No Unix socket: the cluster is reached over 127.0.0.1 only, so it cannot clash
    # with the machine's cluster's socket.
    if ! _imi_as_pg "$bindir/pg_ctl" -D "$data" -l "$log" -w -t 60 \
        -o "-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories=''" \
        start >/dev/null 2>&1; then
        tail -n 20 "$log" >&2 || true
        imi_die "the private PostgreSQL cluster did not start"
        return 1
    fi
    _IMI_PG_STARTED=private
}

# Use our private cluster if it already runs, else start it on a free port from START.
# Sets _IMI_PG_PORT (not printed: this must run in the current shell to record a start).
_IMI_PG_PORT=
_imi_pg_use_private() {
    local port
    if port=$(_imi_pg_private_running) && [[ -n $port ]]; then
        _IMI_PG_PORT=$port
        return 0
    fi
    port=$(imi_free_port "$1") || return 1
    _imi_pg_start_private "$port" || return 1
    _IMI_PG_PORT=$port
}

# "VERSION NAME STATUS" of a Debian cluster on PORT, if there is one.
_imi_pg_debian_cluster() {
    command -v pg_lsclusters >/dev/null 2>&1 || return 1
    pg_lsclusters -h 2>/dev/null | awk -v p="$1" '$3 == p { print $1, $2, $4; exit }'
}

ensure_postgres() {
    local host=${IMI_PG_HOST:-127.0.0.1} port=${IMI_PG_PORT:-5432}
    if ! command -v psql >/dev/null 2>&1; then
        imi_apt_install postgresql-client || return 1
    fi
    if _imi_pg_answers "$host" "$port"; then
        if ! _imi_pg_connects "$host" "$port"; then
            imi_log "user postgres cannot log in without a password on $host:$port;" \
                "using a private cluster"
            host=127.0.0.1
            _imi_pg_use_private $((port + 1)) || return 1
            port=$_IMI_PG_PORT
        fi
    else
        if [[ -z $(_imi_pg_bindir) ]]; then
            imi_apt_install postgresql || return 1
        fi
        local cluster ver name status started=
        cluster=$(_imi_pg_debian_cluster "$port") || cluster=
        if [[ -n $cluster && $(id -u) -eq 0 ]] && imi_is_local_host "$host"; then
            read -r ver name status <<<"$cluster"
            if [[ $status != online ]]; then
                imi_log "starting the Debian PostgreSQL cluster $ver/$name"
                # A failed start falls through to the private cluster below.
                if pg_ctlcluster --skip-systemctl-redirect "$ver" "$name" start; then
                    _IMI_PG_STARTED="debian $ver $name"
                    started=1
                fi
            fi
            imi_wait_for 30 _imi_pg_answers "$host" "$port" || true
            if ! _imi_pg_connects "$host" "$port"; then
                imi_log "user postgres cannot log in without a password to cluster" \
                    "$ver/$name; using a private cluster"
                if [[ -n $started ]]; then
                    stop_postgres_if_started
                fi
                host=127.0.0.1
                _imi_pg_use_private $((port + 1)) || return 1
                port=$_IMI_PG_PORT
            fi
        else
            host=127.0.0.1
            _imi_pg_use_private "$port" || return 1
            port=$_IMI_PG_PORT
        fi
    fi
    _imi_pg_connects "$host" "$port" ||
        imi_die "psql cannot connect to $(_imi_pg_uri "$host" "$port")" || return 1
    IMI_TEST_PG_URI=$(_imi_pg_uri "$host" "$port")
    export IMI_TEST_PG_URI
}

stop_postgres_if_started() {
    local how=$_IMI_PG_STARTED
    _IMI_PG_STARTED=
    case $how in
        private)
            local bindir
            bindir=$(_imi_pg_bindir) || return 0
            _imi_as_pg "$bindir/pg_ctl" -D "$(_imi_pg_private_data)" -m fast -w -t 60 stop \
                >/dev/null 2>&1 || imi_log "could not stop the private PostgreSQL cluster"
            ;;
        debian\ *)
            local _ ver name
            read -r _ ver name <<<"$how"
            pg_ctlcluster --skip-systemctl-redirect "$ver" "$name" stop ||
                imi_log "could not stop the Debian PostgreSQL cluster $ver/$name"
            ;;
    esac
}
