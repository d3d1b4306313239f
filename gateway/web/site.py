"""The page table: every page of the web application, by the name of its entry point.

Each module of pages declares its rows (``PAGES``) beside its entry points (a mixin of
GatewayService); a page cannot be served without its row, nor have a row without being
served (gateway/web/page.py checks at start).
"""

from __future__ import annotations

from types import MappingProxyType

from gateway.web import (
    account_pages,
    alert_admin_pages,
    alert_pages,
    audit_pages,
    authority_pages,
    coordinated_pages,
    dashboard_pages,
    directory_pages,
    notification_pages,
    notification_type_pages,
    registration_pages,
    release_pages,
    replace_pages,
    repository_pages,
    request_draft_pages,
    request_pages,
    translator_pages,
    user_pages,
    work_pages,
)

_MODULES = (
    account_pages, work_pages, request_pages, alert_pages, notification_pages, directory_pages,
    registration_pages, user_pages, dashboard_pages, translator_pages, request_draft_pages,
    authority_pages, coordinated_pages, release_pages, replace_pages, audit_pages,
    alert_admin_pages, notification_type_pages, repository_pages,
)  # fmt: skip

PAGES: MappingProxyType[str, object] = MappingProxyType(
    {route.name: route for module in _MODULES for route in module.PAGES}
)
MIXINS: tuple[type, ...] = (
    account_pages.AccountPages, work_pages.WorkPages, request_pages.RequestPages,
    alert_pages.AlertPages, notification_pages.NotificationPages,
    directory_pages.DirectoryPages, registration_pages.RegistrationPages,
    user_pages.UserPages,
    dashboard_pages.DashboardPages, translator_pages.TranslatorPages,
    request_draft_pages.RequestDraftPages, authority_pages.AuthorityPages,
    coordinated_pages.CoordinatedPages, release_pages.ReleasePages, replace_pages.ReplacePages,
    audit_pages.AuditPages, alert_admin_pages.AlertAdminPages,
    notification_type_pages.NotificationTypePages, repository_pages.RepositoryPages,
)  # fmt: skip
