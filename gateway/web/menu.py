"""The menu of a logged-in user: only the pages their rights open (DOMAIN.md section 1), and the
coordinators' pages (the dashboard, invitations) for those whose statistics the requests service
counts (it said so at login). The item of the page shown, or of the page it is under, is marked
current."""

from __future__ import annotations

from dataclasses import dataclass

REQUEST_RIGHTS = frozenset({"request_handler", "allocator", "basic_user"})
TRANSLATOR_RIGHTS = frozenset({"commission_translator"})
ALERT_RIGHTS = frozenset({"alert_handler", "alert_authoriser"})
USER_ADMINISTRATION_RIGHTS = frozenset({"local_data_administrator", "data_administrator"})
# identity's audit trail of the reader's own authority (a coordinator's data administrators
# read those of the authorities they coordinate from the users' list)
AUDIT_RIGHTS = frozenset({"local_data_administrator"})
COORDINATION_RIGHTS = frozenset({"data_administrator", "commission_administrator"})
# the late alerts of every state: a Commission administrator's (an alert authoriser of a state
# finds its own from the alert list, which knows the area of their right)
LATE_ALERT_RIGHTS = frozenset({"commission_administrator"})
# the rights that send, read and receive generic notifications (a type's senders), and the
# Commission's administrators, who read every broadcast one and define the types
NOTIFICATION_RIGHTS = frozenset({"request_handler", "alert_handler", "commission_administrator"})
TYPE_RIGHTS = frozenset({"commission_administrator"})


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
    MenuItem("/alerts/late", "web.alerts.late.menu", LATE_ALERT_RIGHTS),
    MenuItem("/alerts/settings", "web.alerts.settings.menu", COORDINATION_RIGHTS),
    MenuItem("/notifications", "web.notiftypes.menu", NOTIFICATION_RIGHTS),
    MenuItem("/notification-types", "web.notiftypes.types_menu", TYPE_RIGHTS),
    MenuItem("/inbox", "web.menu.inbox"),
    MenuItem("/directory", "web.directory.menu"),
    MenuItem(
        "/directory/invitations", "web.directory.invite.menu", COORDINATION_RIGHTS, statistics=True
    ),
    MenuItem("/users", "web.users.menu", USER_ADMINISTRATION_RIGHTS),
    MenuItem("/users/audit", "web.audit.menu", AUDIT_RIGHTS),
    MenuItem("/dashboard", "web.dashboard.menu", statistics=True),
    MenuItem("/translations", "web.translator.menu", TRANSLATOR_RIGHTS),
)


def menu_for(
    rights: frozenset[str], path: str, statistics_scope: str | None = None
) -> list[MenuItem]:
    shown = [
        item
        for item in MENU
        if (item.rights is None or item.rights & rights)
        and (not item.statistics or statistics_scope is not None)
    ]
    current = max((item.path for item in shown if _under(item.path, path)), key=len, default=None)
    return [
        MenuItem(item.path, item.label, item.rights, item.path == current, item.statistics)
        for item in shown
    ]


def _under(item: str, path: str) -> bool:
    """Whether the page at ``path`` is the item's or one under it (an alert under /alerts)."""
    return path == item or (item != "/" and path.startswith(item + "/"))
