"""Integration: two administrators save the same version of a user at the same moment, on
PostgreSQL. The database decides (a compare-and-set on the version): one save is kept, the
other is refused with a StaleVersion naming who saved first and when, and nothing is lost.

The service and its database are those of tests/integration/test_identity_postgres.py;
tests/integration/overlap.py makes the two saves overlap every time.
"""

from __future__ import annotations

import pytest

from tests.identity.harness import MEMBER_GRANTS
from tests.integration.overlap import held_saves, race, stale_version_of

pytestmark = pytest.mark.integration


def test_two_overlapping_edits_of_a_user_keep_one_and_refuse_the_other_naming_who_and_when(
    identity, store, identity_pg
):
    admin = identity.bootstrap_administrator()
    lda = identity.first_user_of(identity.register_authority("PL"), admin)
    colleague = identity.create_user(lda, grants=[{"right": "local_data_administrator"}])
    member = identity.create_user(lda, grants=MEMBER_GRANTS)
    editors, names = [lda, colleague], ["Anna Nowak", "Berta Nowak"]

    with held_saves(identity.container, "users", identity_pg) as hold:
        outcome = race(*(
            identity.rpc.update_user.call_async(
                editor.actor, member.id, {"version": 1, "full_name": name}
            )
            for editor, name in zip(editors, names, strict=True)
        ))  # fmt: skip

    stored = store.user(member.id)
    assert hold.overlapped
    assert (stored.full_name, stored.version) == (names[outcome.winner], 2)
    assert (outcome.saved["full_name"], outcome.saved["version"]) == (stored.full_name, 2)
    assert stale_version_of(outcome) == {
        "code": "error.stale_version",
        "current_version": 2,
        "changed_by": editors[outcome.winner].id,
        "changed_at": stored.updated_at.isoformat(),
    }
