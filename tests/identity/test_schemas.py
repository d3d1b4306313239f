"""identity's written-out user document is UserSchema's dump, for any user view."""

from __future__ import annotations

from datetime import UTC, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from services.common.actor import Grant, Right
from services.identity.schemas import UserSchema, user_document

texts = st.text(max_size=20)
aware_times = st.datetimes(
    timezones=st.sampled_from([UTC, timezone(timedelta(hours=2)), timezone(timedelta(hours=-5))])
)
grants = st.builds(Grant, st.sampled_from(list(Right)), st.one_of(st.none(), texts))
views = st.fixed_dictionaries(
    {
        "id": texts,
        "username": texts,
        "authority_id": texts,
        "member_state": texts,
        "full_name": texts,
        "email": texts,
        "phone": st.one_of(st.none(), texts),
        "language": texts,
        "grants": st.lists(grants, max_size=5),
        "status": st.sampled_from(["pending_first_login", "active", "blocked"]),
        "last_login_at": st.one_of(st.none(), aware_times),
        "created_at": aware_times,
        "updated_at": aware_times,
        "version": st.integers(min_value=1, max_value=2**31),
    }
)


@given(views)
def test_the_written_out_document_is_the_schemas_dump(view):
    assert user_document(view) == UserSchema().dump(view)
