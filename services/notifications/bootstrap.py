"""Making the notifications service's database ready at every ``services.manage prepare``: the
generic notification types it ships (content/notification_types.yaml), each published as the
type's next version when it differs from the latest one, so a second run changes nothing.
Publishing records ``notification_type_published``; the types' texts in every language are
shipped to the catalogue by the translation service (its content/notification_types.yaml).
With demo data on, the directory's demo authorities in the read model (services/notifications/
demo.py), so that the demo users can send and receive alerts at once."""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

import yaml

from services.common.config import database_uri, demo_allowed
from services.common.db import StandaloneDatabase
from services.common.schemas import load
from services.notifications import generic_store
from services.notifications.demo import load_demo_directory
from services.notifications.generic_schemas import NotificationTypeNewSchema
from services.notifications.models import Base

TYPES_FILE = Path(__file__).parent / "content" / "notification_types.yaml"


def prepare(config: dict, out: TextIO) -> None:
    """The notifications service's preparation hook (services/manage.py)."""
    uri = database_uri(config, "notifications")
    published = publish_shipped_types(uri)
    shown = ", ".join(published) or "none changed"
    print(f"notifications: shipped notification types published ({shown})", file=out)
    if demo_allowed(config, "DIRECTORY"):
        added = load_demo_directory(uri)
        print(f"notifications: the demo directory's alert mailboxes ({added} authorities added)",
              file=out)  # fmt: skip


def shipped_types(path: Path = TYPES_FILE) -> list[dict]:
    """The shipped types, checked by the contract a Commission administrator's go through."""
    items = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    return [load(NotificationTypeNewSchema, item) for item in items]


def publish_shipped_types(uri: str, path: Path = TYPES_FILE) -> list[str]:
    """Publish each shipped type that differs from its latest version; the keys published."""
    database = StandaloneDatabase(Base, "notifications", uri)
    unit = database.unit_of_work()
    try:
        published = []
        for item in shipped_types(path):
            data = dict(item)
            key = data.pop("key")
            data["fields"] = data.pop("fields_")
            _row, changed = generic_store.publish_type(unit, None, key, data, None)
            if changed:
                published.append(key)
        unit.commit()
        return published
    finally:
        unit.close()
        database.dispose()
