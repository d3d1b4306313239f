#!/usr/bin/env bash
# ensure_venv: a Python 3.11 virtualenv in .venv with the project installed
# (editable, with the dev extras). Source it; do not run it.

# shellcheck source=deploy/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

# Print a python3.11 interpreter's command name, or nothing.
_imi_find_python() {
    local py
    for py in python3.11 python3; do
        if command -v "$py" >/dev/null 2>&1 &&
            "$py" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then
            echo "$py"
            return 0
        fi
    done
}

_imi_venv_ok() {
    [[ -x $IMI_ROOT/.venv/bin/python ]] &&
        "$IMI_ROOT/.venv/bin/python" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' \
            2>/dev/null
}

ensure_venv() {
    local venv="$IMI_ROOT/.venv" stamp="$IMI_ROOT/.venv/.imi-installed"
    if ! _imi_venv_ok; then
        local py
        py=$(_imi_find_python)
        if [[ -z $py ]]; then
            # Debian 12's python3 is 3.11.
            imi_apt_install python3 || return 1
            py=$(_imi_find_python)
            [[ -n $py ]] || imi_die "no Python 3.11 found (python3.11 or python3)" || return 1
        fi
        # Debian's own python3 needs python3-venv for ensurepip; pyenv's has it built in.
        if ! "$py" -c 'import ensurepip, venv' 2>/dev/null; then
            imi_apt_install python3-venv || return 1
        fi
        # A leftover .venv from another Python is replaced, not patched.
        rm -rf "$venv"
        "$py" -m venv "$venv" || imi_die "could not create .venv with $py" || return 1
    fi

    local want have=
    want=$(sha256sum "$IMI_ROOT/pyproject.toml" | cut -d' ' -f1)
    [[ -f $stamp ]] && have=$(<"$stamp")
    if [[ $want != "$have" ]]; then
        imi_log "installing Python dependencies into .venv (pyproject.toml changed)"
        local log
        log=$(mktemp)
        if ! (cd "$IMI_ROOT" && "$venv/bin/python" -m pip install -q --disable-pip-version-check \
            -e '.[dev]') >"$log" 2>&1; then
            cat "$log" >&2
            rm -f "$log"
            imi_die "pip install -e '.[dev]' failed"
            return 1
        fi
        rm -f "$log"
        echo "$want" >"$stamp"
    fi
}
