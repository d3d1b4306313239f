"""The menu of a logged-in user: only the pages their rights open (DOMAIN.md section 1), and the
dashboard for those whose statistics the requests service counts (it said so at login)."""

from __future__ import annotations

from dataclasses import dataclass

REQUEST_RIGHTS = frozenset({"request_handler", "allocator", "basic_user"})
TRANSLATOR_RIGHTS = frozenset({"commission_translator"})
ALERT_RIGHTS = frozenset({"alert_handler", "alert_authoriser"})


@dataclass(frozen=True)
class MenuItem:
    path: str
    label: str  # a catalogue key
    rights: frozenset[str] | None = None  # any of them opens it; None: every user
    current: bool = False
    statistics: bool = False  # only for a user with a statistics scope


MENU = (
    MenuItem("/", "web.menu.home"),
    MenuItem("/requests", "web.menu.requests", REQUEST_RIGHTS),
    MenuItem("/alerts", "web.alerts.menu", ALERT_RIGHTS),
    MenuItem("/inbox", "web.menu.inbox"),
    MenuItem("/dashboard", "web.dashboard.menu", statistics=True),
    MenuItem("/translations", "web.translator.menu", TRANSLATOR_RIGHTS),
)


def menu_for(
    rights: frozenset[str], path: str, statistics_scope: str | None = None
) -> list[MenuItem]:
    return [
        MenuItem(item.path, item.label, item.rights, _current(item.path, path), item.statistics)
        for item in MENU
        if (item.rights is None or item.rights & rights)
        and (not item.statistics or statistics_scope is not None)
    ]


def _current(item: str, path: str) -> bool:
    """The item of the page shown: its own path, or a page under it (an alert under /alerts)."""
    return path == item or (item != "/" and path.startswith(item + "/"))
