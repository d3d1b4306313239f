#!/usr/bin/env bash
# RabbitMQ for the deploy scripts. Source it; do not run it.
#   ensure_rabbitmq [--admin]   use the broker on IMI_AMQP_HOST:IMI_AMQP_PORT, or start a
#                               private node under var/rabbitmq/; exports IMI_AMQP_URI, on
#                               the virtual host IMI_AMQP_VHOST (an existing one; default /).
#                               --admin: we must also be able to create vhosts on it.
#   make_test_vhost [VAR]       create a fresh vhost for guest; print its name (or set VAR).
#   delete_test_vhost NAME
#   imi_amqp_uri [VHOST]        print the pyamqp:// URI of the chosen broker.
#   IMI_RABBITMQCTL             exported by ensure_rabbitmq: the rabbitmqctl command line that
#                               administers the chosen broker (a wrapper under var/rabbitmq/
#                               for the private node); services/notifications/subscribers.py
#                               makes the outside systems' accounts with it.
#   stop_rabbitmq_if_started    stop the private node only if this shell started it.

# shellcheck source=deploy/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

IMI_RMQ_NODE=imi@localhost
_IMI_RMQ_DIR="$IMI_ROOT/var/rabbitmq"
_IMI_RMQ_BIN=/usr/lib/rabbitmq/bin
_IMI_RMQ_HOST=
_IMI_RMQ_PORT=
_IMI_RMQ_MODE=    # private: our node; system: the machine's node via rabbitmqctl as root
_IMI_RMQ_STARTED= # 1 when this shell started the private node

# True when HOST PORT speaks AMQP: a broker answers the 0-9-1 protocol header
# with a frame whose first byte is 1 (a method frame: Connection.Start).
_imi_amqp_answers() {
    local reply
    # shellcheck disable=SC2016 # $1 $2 belong to the inner bash
    reply=$(timeout 5 bash -c 'exec 3<>"/dev/tcp/$1/$2" || exit 1
        printf "AMQP\x00\x00\x09\x01" >&3
        head -c 1 <&3 | od -An -tx1' _ "$1" "$2" 2>/dev/null) || return 1
    [[ ${reply//[[:space:]]/} == 01 ]]
}

# Percent-encode one URI path segment.
_imi_urlencode() {
    local s=$1 out='' c i
    for ((i = 0; i < ${#s}; i++)); do
        c=${s:i:1}
        case $c in
            [A-Za-z0-9._~-]) out+=$c ;;
            *) out+=$(printf '%%%02X' "'$c") ;;
        esac
    done
    printf '%s' "$out"
}

imi_amqp_uri() {
    local vhost=${1:-/}
    if [[ $vhost == / ]]; then
        printf 'pyamqp://guest:guest@%s:%s/\n' "$_IMI_RMQ_HOST" "$_IMI_RMQ_PORT"
    else
        printf 'pyamqp://guest:guest@%s:%s/%s\n' "$_IMI_RMQ_HOST" "$_IMI_RMQ_PORT" \
            "$(_imi_urlencode "$vhost")"
    fi
}

# Run a RabbitMQ script against the private node: its own HOME (cookie), epmd,
# config, plugins and data, so the machine's node and its config are never touched.
_imi_rmq_private() {
    local cmd=$1
    shift
    # shellcheck source=/dev/null
    source "$_IMI_RMQ_DIR/node.env"
    env HOME="$_IMI_RMQ_DIR/home" \
        RABBITMQ_NODENAME="$IMI_RMQ_NODE" \
        RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 \
        RABBITMQ_NODE_PORT="$IMI_RMQ_NODE_PORT" \
        RABBITMQ_DIST_PORT="$IMI_RMQ_DIST_PORT" \
        ERL_EPMD_PORT="$IMI_RMQ_EPMD_PORT" \
        ERL_EPMD_ADDRESS=127.0.0.1 \
        RABBITMQ_CONF_ENV_FILE="$_IMI_RMQ_DIR/rabbitmq-env.conf" \
        RABBITMQ_CONFIG_FILE="$_IMI_RMQ_DIR/rabbitmq.conf" \
        RABBITMQ_ADVANCED_CONFIG_FILE="$_IMI_RMQ_DIR/advanced.config" \
        RABBITMQ_ENABLED_PLUGINS_FILE="$_IMI_RMQ_DIR/enabled_plugins" \
        RABBITMQ_MNESIA_BASE="$_IMI_RMQ_DIR/mnesia" \
        RABBITMQ_LOG_BASE="$_IMI_RMQ_DIR/log" \
        RABBITMQ_PID_FILE="$_IMI_RMQ_DIR/rabbitmq.pid" \
        RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}" \
        "$_IMI_RMQ_BIN/$cmd" "$@"
}

_imi_rmq_private_pid() {
    local pid=
    [[ -f $_IMI_RMQ_DIR/rabbitmq.pid ]] && pid=$(<"$_IMI_RMQ_DIR/rabbitmq.pid")
    [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

# True when our private node (perhaps started by another run) is up; prints its port.
_imi_rmq_private_running() {
    [[ -f $_IMI_RMQ_DIR/node.env ]] || return 1
    local IMI_RMQ_NODE_PORT=
    # shellcheck source=/dev/null
    source "$_IMI_RMQ_DIR/node.env"
    [[ -n $(_imi_rmq_private_pid) ]] && _imi_amqp_answers 127.0.0.1 "$IMI_RMQ_NODE_PORT" &&
        echo "$IMI_RMQ_NODE_PORT"
}

# True when plain rabbitmqctl (as root) administers the node listening on HOST PORT.
_imi_rmq_system_can_admin() {
    imi_is_local_host "$1" || return 1
    command -v rabbitmq-diagnostics >/dev/null 2>&1 || return 1
    imi_as_root rabbitmq-diagnostics -q listeners 2>/dev/null |
        grep -Eq "port: $2, protocol: amqp"
}

_imi_rmq_start_private() {
    local port=$1
    if [[ ! -x $_IMI_RMQ_BIN/rabbitmq-server ]]; then
        imi_apt_install rabbitmq-server || return 1
    fi
    local epmd_port dist_port
    dist_port=$(imi_free_port $((port + 20000))) || return 1
    epmd_port=$(imi_free_port 14369) || return 1
    mkdir -p "$_IMI_RMQ_DIR/home" "$_IMI_RMQ_DIR/mnesia" "$_IMI_RMQ_DIR/log"
    chmod 700 "$_IMI_RMQ_DIR/home"
    printf 'IMI_RMQ_NODE_PORT=%s\nIMI_RMQ_DIST_PORT=%s\nIMI_RMQ_EPMD_PORT=%s\n' \
        "$port" "$dist_port" "$epmd_port" >"$_IMI_RMQ_DIR/node.env"
    # Own (near-empty) config files, so the machine's /etc/rabbitmq ones (which may
    # pin the listener to 5672) are not read.
    echo '# private node of deploy/: everything is set by deploy/lib/rabbitmq.sh' \
        >"$_IMI_RMQ_DIR/rabbitmq-env.conf"
    echo 'loopback_users.guest = true' >"$_IMI_RMQ_DIR/rabbitmq.conf"
    echo '[].' >"$_IMI_RMQ_DIR/enabled_plugins"
    [[ -n $(_imi_rmq_private_pid) ]] || rm -f "$_IMI_RMQ_DIR/rabbitmq.pid"

    imi_log "starting a private RabbitMQ node $IMI_RMQ_NODE on 127.0.0.1:$port (var/rabbitmq/)"
    _imi_rmq_private rabbitmq-server -detached >"$_IMI_RMQ_DIR/log/start.log" 2>&1 || {
        cat "$_IMI_RMQ_DIR/log/start.log" >&2
        imi_die "rabbitmq-server did not start"
        return 1
    }
    _IMI_RMQ_STARTED=1
    if ! imi_wait_for 120 test -s "$_IMI_RMQ_DIR/rabbitmq.pid" ||
        ! _imi_rmq_private rabbitmqctl -n "$IMI_RMQ_NODE" -q wait --timeout 120 \
            "$_IMI_RMQ_DIR/rabbitmq.pid" >/dev/null 2>&1 ||
        ! _imi_amqp_answers 127.0.0.1 "$port"; then
        tail -n 30 "$_IMI_RMQ_DIR/log/start.log" "$_IMI_RMQ_DIR/log/$IMI_RMQ_NODE.log" >&2 || true
        imi_die "the private RabbitMQ node did not come up"
        return 1
    fi
    _IMI_RMQ_HOST=127.0.0.1
    _IMI_RMQ_PORT=$port
    _IMI_RMQ_MODE=private
}

# Use our private node if it already runs, else start one on a free port from START.
_imi_rmq_use_private() {
    local port
    if port=$(_imi_rmq_private_running); then
        _IMI_RMQ_HOST=127.0.0.1
        _IMI_RMQ_PORT=$port
        _IMI_RMQ_MODE=private
        return 0
    fi
    port=$(imi_free_port "$1") || return 1
    _imi_rmq_start_private "$port"
}

ensure_rabbitmq() {
    local admin=
    [[ ${1:-} == --admin ]] && admin=1
    local host=${IMI_AMQP_HOST:-127.0.0.1} port=${IMI_AMQP_PORT:-5672} own_port=
    own_port=$(_imi_rmq_private_running) || own_port=
    if _imi_amqp_answers "$host" "$port"; then
        _IMI_RMQ_HOST=$host
        _IMI_RMQ_PORT=$port
        if [[ $port == "$own_port" ]] && imi_is_local_host "$host"; then
            _IMI_RMQ_MODE=private
        elif [[ -z $admin ]]; then
            _IMI_RMQ_MODE=system # a guess: only make_test_vhost would need it
        elif _imi_rmq_system_can_admin "$host" "$port"; then
            _IMI_RMQ_MODE=system
        else
            imi_log "cannot administer the broker on $host:$port; using a private node"
            _imi_rmq_use_private $((port + 1)) || return 1
        fi
    else
        _imi_rmq_use_private "$port" || return 1
    fi
    IMI_AMQP_URI=$(imi_amqp_uri "${IMI_AMQP_VHOST:-/}")
    export IMI_AMQP_URI
    _imi_export_rabbitmqctl
}

# Export IMI_RABBITMQCTL for the chosen broker (an operator's own setting wins).
_imi_export_rabbitmqctl() {
    if [[ $_IMI_RMQ_MODE == private ]]; then
        local wrapper="$_IMI_RMQ_DIR/rabbitmqctl"
        {
            echo '#!/usr/bin/env bash'
            echo '# rabbitmqctl of the private node (written by deploy/lib/rabbitmq.sh)'
            printf 'source %q\n' "$IMI_ROOT/deploy/lib/rabbitmq.sh"
            echo '_imi_rmq_private rabbitmqctl -n "$IMI_RMQ_NODE" "$@"'
        } >"$wrapper"
        chmod 700 "$wrapper"
        IMI_RABBITMQCTL=$wrapper
    elif [[ -z ${IMI_RABBITMQCTL:-} ]]; then
        if [[ $(id -u) -eq 0 ]]; then
            IMI_RABBITMQCTL=rabbitmqctl
        else
            IMI_RABBITMQCTL="sudo -n rabbitmqctl"
        fi
    fi
    export IMI_RABBITMQCTL
}

_imi_rmqctl() {
    if [[ $_IMI_RMQ_MODE == private ]]; then
        _imi_rmq_private rabbitmqctl -n "$IMI_RMQ_NODE" -q "$@"
    else
        imi_as_root rabbitmqctl -q "$@"
    fi
}

_imi_rmq_add_vhost() {
    _imi_rmqctl add_vhost "$1" >/dev/null 2>&1 &&
        _imi_rmqctl set_permissions -p "$1" guest '.*' '.*' '.*' >/dev/null 2>&1
}

# Create a fresh vhost that guest may use. Call it in the current shell (with VAR)
# when the broker may have to change, so that a node it starts is stopped later.
make_test_vhost() {
    [[ -n $_IMI_RMQ_PORT ]] || imi_die "make_test_vhost: call ensure_rabbitmq first" || return 1
    local _imi_new_vhost
    _imi_new_vhost="imi-test-$(date +%s)-$RANDOM"
    if ! _imi_rmq_add_vhost "$_imi_new_vhost"; then
        [[ $_IMI_RMQ_MODE != private ]] ||
            imi_die "could not create vhost $_imi_new_vhost on the private node" || return 1
        imi_log "cannot create a vhost on the broker on $_IMI_RMQ_HOST:$_IMI_RMQ_PORT;" \
            "using a private node"
        _imi_rmq_use_private $((_IMI_RMQ_PORT + 1)) || return 1
        IMI_AMQP_URI=$(imi_amqp_uri /)
        export IMI_AMQP_URI
        _imi_export_rabbitmqctl
        _imi_rmq_add_vhost "$_imi_new_vhost" ||
            imi_die "could not create vhost $_imi_new_vhost on the private node" || return 1
    fi
    # (The local's odd name keeps it from hiding the caller's VAR.)
    if [[ -n ${1:-} ]]; then
        printf -v "$1" '%s' "$_imi_new_vhost"
    else
        echo "$_imi_new_vhost"
    fi
}

delete_test_vhost() {
    [[ -n ${1:-} && -n $_IMI_RMQ_PORT ]] || return 0
    _imi_rmqctl delete_vhost "$1" >/dev/null 2>&1 || imi_log "could not delete vhost $1"
}

stop_rabbitmq_if_started() {
    [[ $_IMI_RMQ_STARTED == 1 ]] || return 0
    _IMI_RMQ_STARTED=
    local pid
    pid=$(_imi_rmq_private_pid) || pid=
    if [[ -n $pid ]]; then
        # A graceful stop waits for the OS process to exit; kill it if that fails.
        if ! _imi_rmq_private rabbitmqctl -n "$IMI_RMQ_NODE" -q stop \
            "$_IMI_RMQ_DIR/rabbitmq.pid" >/dev/null 2>&1; then
            imi_stop_pid "$pid" 20
        fi
    fi
    rm -f "$_IMI_RMQ_DIR/rabbitmq.pid"
    # The node started its own epmd on a private port; it outlives the node.
    local IMI_RMQ_EPMD_PORT=
    # shellcheck source=/dev/null
    source "$_IMI_RMQ_DIR/node.env"
    if [[ -n $IMI_RMQ_EPMD_PORT ]] && command -v epmd >/dev/null 2>&1; then
        epmd -port "$IMI_RMQ_EPMD_PORT" -kill >/dev/null 2>&1 || true
    fi
}
