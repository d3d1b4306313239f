"""Machine-translated informal titles, as the translation service sends them
(``informal_titles_translated``, docs/machine-translation.md).

A machine title only fills a language the authority has no title in, or replaces an older
machine title: a title a person wrote (``original`` or ``translated``) always wins, and
services.directory.authorities.set_titles replaces a machine title as soon as a person writes
one. The search document is rewritten in the same transaction, so the authority is found in the
new languages at once.

A machine fill is not an edit: the authority's ``version``, ``updated_at`` and ``updated_by``
stay as they are, so a person editing the authority at the same time meets no stale-version
conflict. Other services learn of it by ``authority_updated`` with ``changed: ["titles"]``.
"""

from __future__ import annotations

from services.common.db import UnitOfWork
from services.common.reference import SUPPORTED_LANGUAGES
from services.directory import authorities, search
from services.directory.domain import TitleStatus
from services.directory.models import Authority, AuthorityTitle

TITLE_MAX_LENGTH = 300


def machine_titles(unit: UnitOfWork, data: dict) -> list[str]:
    """Store the machine titles of ``data`` where no person's title stands; the languages
    that changed (none: nothing is published)."""
    authority = unit.session.get(Authority, data["authority_id"])
    if authority is None:
        return []  # an authority this directory does not know (or no longer): nothing to fill
    changed = fill(authority, data["titles"])
    if changed:
        unit.session.flush()
        search.index_authority(unit, authority)
        authorities.record_authority_event(unit, "authority_updated", authority, ["titles"])
    return changed


def fill(authority: Authority, titles: dict[str, str]) -> list[str]:
    """Put each machine title in its language unless a person's title is there; the
    languages whose title changed."""
    current = {title.language: title for title in authority.titles}
    changed = []
    for language, raw in sorted(titles.items()):
        text = " ".join(raw.split())[:TITLE_MAX_LENGTH].strip()
        if language not in SUPPORTED_LANGUAGES or not text:
            continue
        title = current.get(language)
        if title is None:
            authority.titles.append(
                AuthorityTitle(language=language, text=text, status=TitleStatus.MACHINE.value)
            )
        elif title.status == TitleStatus.MACHINE.value and title.text != text:
            title.text = text
        else:
            continue  # a person's title, or the same machine text
        changed.append(language)
    return changed
