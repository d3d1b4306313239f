#!/usr/bin/env bash
# Shared helpers for the deploy scripts. Source it; do not run it.
# Everything is relative to the repository root, found from this file's location.

if [[ -n ${_IMI_COMMON_SH:-} ]]; then
    return 0
fi
_IMI_COMMON_SH=1

# shellcheck disable=SC2034 # used by the files that source this one
IMI_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

imi_log() {
    printf 'imi: %s\n' "$*" >&2
}

imi_die() {
    printf 'imi: error: %s\n' "$*" >&2
    return 1
}

# Run a command as root: directly when we are root, else through sudo (which may ask
# for a password only when there is a terminal to type it in).
imi_as_root() {
    if [[ $(id -u) -eq 0 ]]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        if [[ -t 0 ]]; then
            sudo "$@"
        else
            sudo -n "$@"
        fi
    else
        imi_die "need root (or sudo) to run: $*"
    fi
}

_IMI_APT_UPDATED=

# Install Debian packages quietly; show apt's output only when it fails.
# A policy-rc.d that answers 101 keeps the packages' own services from being
# started by the install (we start what we need ourselves), and is removed again.
imi_apt_install() {
    command -v apt-get >/dev/null 2>&1 ||
        imi_die "apt-get not found: install these packages by hand: $*" || return 1
    local log policy="/usr/sbin/policy-rc.d" made_policy=
    log=$(mktemp)
    imi_log "installing Debian packages: $*"
    if ! imi_as_root test -e "$policy"; then
        imi_as_root sh -c "printf '#!/bin/sh\nexit 101\n' > $policy && chmod 755 $policy" &&
            made_policy=1
    fi
    local rc=0
    if [[ -z $_IMI_APT_UPDATED ]]; then
        imi_as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >"$log" 2>&1 || rc=$?
        _IMI_APT_UPDATED=1
    fi
    if [[ $rc -eq 0 ]]; then
        imi_as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
            --no-install-recommends "$@" >>"$log" 2>&1 || rc=$?
    fi
    if [[ -n $made_policy ]]; then
        imi_as_root rm -f "$policy"
    fi
    if [[ $rc -ne 0 ]]; then
        cat "$log" >&2
        rm -f "$log"
        imi_die "apt-get install $* failed"
        return 1
    fi
    rm -f "$log"
}

# True when something accepts TCP connections on HOST PORT.
imi_tcp_open() {
    # shellcheck disable=SC2016 # $1 $2 belong to the inner bash
    timeout 3 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$1" "$2" 2>/dev/null
}

# First port from START upward on which nothing listens on 127.0.0.1.
imi_free_port() {
    local port=$1 last=$(($1 + 500))
    while ((port <= last)); do
        if ! imi_tcp_open 127.0.0.1 "$port"; then
            echo "$port"
            return 0
        fi
        port=$((port + 1))
    done
    imi_die "no free TCP port in $1..$last"
}

# True when HOST names this machine (so local admin tools can reach the server).
imi_is_local_host() {
    case $1 in
        127.* | localhost | ::1 | '[::1]') return 0 ;;
        *) return 1 ;;
    esac
}

# Wait up to SECONDS for a command to succeed.
imi_wait_for() {
    local deadline=$((SECONDS + $1))
    shift
    until "$@"; do
        ((SECONDS < deadline)) || return 1
        sleep 0.3
    done
}

# True while PID runs.
imi_pid_alive() {
    kill -0 "$1" 2>/dev/null
}

imi_pid_gone() {
    ! kill -0 "$1" 2>/dev/null
}

# TERM a process, then KILL it if it has not gone within SECONDS.
imi_stop_pid() {
    local pid=$1 grace=${2:-20}
    imi_pid_alive "$pid" || return 0
    kill -TERM "$pid" 2>/dev/null || return 0
    if ! imi_wait_for "$grace" imi_pid_gone "$pid"; then
        kill -KILL "$pid" 2>/dev/null || true
    fi
}
