"""The first Commission administrator, created once when the system is first prepared,
identity's token key published in the keyring, and, when demo data is on, the demo users
(services/identity/demo.py), shown to the operator at every preparation.

Everything else about users goes through the service; this runs before any service does, on
the migrated database, and writes the same rows, audit entry and events the service would.
"""

from __future__ import annotations

from typing import TextIO

from sqlalchemy import select

from services.common.config import database_uri, demo_allowed
from services.common.credentials import publish_token_key
from services.common.db import StandaloneDatabase
from services.common.reference import COMMISSION
from services.identity import accounts
from services.identity.demo import demo_users_notice, load_demo_users
from services.identity.domain import COMMISSION_AUTHORITY_ID, COMMISSION_RIGHTS, AuthorityView
from services.identity.keys import load_or_create_keys
from services.identity.models import Base, User
from services.identity.settings import CONFIG_KEY, DEFAULT_KEY_DIR, settings_from_config

ADMINISTRATOR = {
    "full_name": "Commission administrator",
    "email": "imi-administrator@ec.europa.eu.invalid",
    "language": "en",
}


def prepare(config: dict, out: TextIO) -> str | None:
    """The identity service's preparation hook (services/manage.py): its token key in the
    keyring, the first Commission administrator, whose username and temporary password the
    operator is shown last, once, and the demo users unless demo data is off (they stand on
    the directory's demo authorities), shown last at every preparation."""
    publish_token_keys(config)
    uri, key_dir = database_uri(config, "identity"), config["IDENTITY"]["KEY_DIR"]
    created = create_commission_administrator(uri, key_dir)
    notice = ""
    if created is not None:
        username, password = created
        notice = (
            "\nFirst Commission administrator (shown once; change the password at first login):"
            f"\n  username:           {username}\n  temporary password: {password}\n"
        )
    if demo_allowed(config, "DIRECTORY"):
        added = load_demo_users(uri, key_dir)
        print(f"identity: demo users ({len(added)} added; IMI_DEMO_DATA=0 skips them)", file=out)
        notice += demo_users_notice(uri, key_dir)
    return notice or None


def create_commission_administrator(uri: str, key_dir: str) -> tuple[str, str] | None:
    """(username, temporary password) of a new administrator, or None if one exists."""
    settings = settings_from_config({"IDENTITY": {"KEY_DIR": key_dir}})
    database = StandaloneDatabase(Base, "identity", uri)
    unit = database.unit_of_work()
    temporary = accounts.new_temporary_password(unit, settings)  # hashed before any lock
    try:
        session = unit.session
        if session.scalar(select(User.id).where(User.authority_id == COMMISSION_AUTHORITY_ID)):
            return None
        authority = AuthorityView(COMMISSION_AUTHORITY_ID, COMMISSION, None)
        user = accounts.create_user(
            unit,
            settings,
            None,
            ADMINISTRATOR,
            authority,
            extra_grants=COMMISSION_RIGHTS,
            temporary=temporary,
        )
        unit.commit()
        return user.username, temporary.password
    finally:
        unit.close()
        database.dispose()


def publish_token_keys(config: dict) -> None:
    """identity's token key in the keyring, where every service checks access tokens."""
    keys = load_or_create_keys((config.get(CONFIG_KEY) or {}).get("KEY_DIR", DEFAULT_KEY_DIR))
    publish_token_key(config, keys.kid, keys.public_key_pem)
