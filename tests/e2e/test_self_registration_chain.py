"""Invitation to first login, through the gateway, with the real directory and identity:
a coordinator invites, the invitee self-registers and reads its first user's username in the
summary, the coordinator validates, identity emails the temporary password, and the first
user logs in with that username."""

from __future__ import annotations

import uuid

from tests.e2e.stack import API, User, placeholder


def test_an_invited_authority_registers_itself_and_its_first_user_logs_in_after_validation(
    stack,
):
    admin = stack.activate(stack.admin)
    coordinator = stack.national_coordinator(admin)
    email = f"amt-{uuid.uuid4().hex[:6]}@behoerde.example.de"
    invited = stack.web.post(
        f"{API}/invitations",
        json={"invitations": [{"email": email, "language": "de", "areas": [
            {"area": "professional_qualifications", "workflow": "information_requests"}]}]},
        headers=coordinator.auth,
    )  # fmt: skip
    assert invited.status_code == 200, invited.text
    assert invited.json()["accepted"] == 1

    def invitation_code() -> str:
        received = stack.mailbox.to(email, "email.invitation")
        assert len(received) == 1, f"the invitation to {email}"
        return placeholder(received[0], "email.invitation", "registration_code")

    code = stack.eventually(invitation_code, timeout=10)

    prefilled = stack.web.get(f"{API}/self-registration/{code}")
    assert prefilled.status_code == 200, prefilled.text
    assert prefilled.json()["coordinator"]["official_name"] == "Bundesministerium für Wirtschaft"
    registration = {
        "registration_code": code,
        "official_name": "Landesamt für Gesundheit",
        "official_language": "de",
        "email": email,
        "languages": ["de"],
        "first_user": {"full_name": "Erika Mustermann", "email": "erika@example.de",
                       "language": "de"},
    }  # fmt: skip
    registered = stack.web.post(f"{API}/self-registration", json=registration)
    assert registered.status_code == 201, registered.text
    summary = registered.json()
    assert summary["status"] == "pending_validation"
    authority_id = summary["authority"]["id"]
    username = summary["username"]

    def waiting_first_user() -> dict:
        found = stack.users_of(coordinator, authority_id)
        assert found, "identity to create the self-registered first user"
        return found[0]

    record = stack.eventually(waiting_first_user, timeout=10)
    assert record["username"] == username
    assert record["status"] == "pending_first_login"
    assert stack.mailbox.to(record["email"], "email.temporary_password") == []
    again = stack.web.post(f"{API}/self-registration", json=registration)
    assert again.status_code == 404, again.text
    assert again.json()["code"] == "invitation.code_unusable"

    validated = stack.web.post(
        f"{API}/authorities/{authority_id}/validation", headers=coordinator.auth
    )
    assert validated.status_code == 200, validated.text

    password = stack.mailbox.temporary_password(record["email"])
    first_user = stack.activate(User(username, password, id=record["id"]))
    me = stack.web.get(f"{API}/users/me", headers=first_user.auth)
    assert me.status_code == 200, me.text
    assert me.json()["authority_id"] == authority_id
    assert "local_data_administrator" in {grant["right"] for grant in me.json()["grants"]}
