"""The menu of a logged-in user: only the pages their rights open (DOMAIN.md section 1)."""

from __future__ import annotations

from dataclasses import dataclass

REQUEST_RIGHTS = frozenset({"request_handler", "allocator", "basic_user"})
ALERT_RIGHTS = frozenset({"alert_handler", "alert_authoriser"})


@dataclass(frozen=True)
class MenuItem:
    path: str
    label: str  # a catalogue key
    rights: frozenset[str] | None = None  # any of them opens it; None: every user
    current: bool = False


MENU = (
    MenuItem("/", "web.menu.home"),
    MenuItem("/requests", "web.menu.requests", REQUEST_RIGHTS),
    MenuItem("/alerts", "web.alerts.menu", ALERT_RIGHTS),
    MenuItem("/inbox", "web.menu.inbox"),
)


def menu_for(rights: frozenset[str], path: str) -> list[MenuItem]:
    return [
        MenuItem(item.path, item.label, item.rights, _current(item.path, path))
        for item in MENU
        if item.rights is None or item.rights & rights
    ]


def _current(item: str, path: str) -> bool:
    """The item of the page shown: its own path, or a page under it (an alert under /alerts)."""
    return path == item or (item != "/" and path.startswith(item + "/"))
