#!/usr/bin/env bash
# ensure_web_vendor: the web pages' pinned third-party files (gateway/web/vendor.json) in
# .web-vendor/, fetched with npm once. ensure_chromium: Debian's chromium, for the browser
# tests. Source it after venv.sh; do not run it.

# shellcheck source=deploy/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

ensure_web_vendor() {
    if ! command -v npm >/dev/null 2>&1; then
        imi_apt_install npm || return 1
    fi
    (cd "$IMI_ROOT" && .venv/bin/python -m gateway.web.vendor install) ||
        imi_die "could not install the web pages' pinned files (gateway/web/vendor.json)"
}

# Print the chromium binary the browser tests drive, installing Debian's package if needed.
ensure_chromium() {
    local binary
    for binary in chromium chromium-browser; do
        if command -v "$binary" >/dev/null 2>&1; then
            command -v "$binary"
            return 0
        fi
    done
    imi_apt_install chromium fonts-dejavu-core >&2 || return 1
    command -v chromium
}
