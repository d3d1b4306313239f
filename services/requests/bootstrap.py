"""Making the requests service's database ready at every ``services.manage prepare``: the
question sets it ships (content/question_sets/*.yaml), each published as the set's next version
when it differs from the latest one, and the shared lists (content/lists.yaml), each published
when it changed; so a second run changes nothing. Publishing records ``question_set_published``
or ``list_published``, which bring the texts to the translation service's catalogue once the
service runs. Unless demo data is off, the demo requests follow (services/requests/demo.py),
once, and the history of past requests the statistics count (services/requests/
demo_history.py), once."""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

import yaml

from services.common.config import database_uri, demo_allowed
from services.common.db import StandaloneDatabase
from services.common.errors import NotFound
from services.common.schemas import dump, load
from services.requests import generator, shared_lists
from services.requests.demo import load_demo_requests
from services.requests.demo_history import load_demo_history
from services.requests.models import Base
from services.requests.schemas import QuestionSetDocumentSchema, SharedListsSchema

QUESTION_SETS_DIR = Path(__file__).parent / "content" / "question_sets"
LISTS_FILE = Path(__file__).parent / "content" / "lists.yaml"


def prepare(config: dict, out: TextIO) -> None:
    """The requests service's preparation hook (services/manage.py)."""
    uri = database_uri(config, "requests")
    published = publish_shipped_sets(uri)
    shown = ", ".join(published) or "none new"
    print(f"requests: shipped question sets published ({shown})", file=out)
    lists = publish_shipped_lists(uri)
    print(f"requests: shared lists published ({', '.join(lists) or 'none changed'})", file=out)
    if demo_allowed(config, "DIRECTORY"):
        added = load_demo_requests(uri)
        print(f"requests: demo requests ({added} added; IMI_DEMO_DATA=0 skips them)", file=out)
        past = load_demo_history(uri)
        print(f"requests: past requests for the statistics ({past} added)", file=out)


def publish_shipped_lists(uri: str, path: Path = LISTS_FILE) -> list[str]:
    """Publish each shared list of ``path`` that changed since it was last published."""
    shipped = dump(SharedListsSchema, load(SharedListsSchema, _read(path)))
    database = StandaloneDatabase(Base, "requests", uri)
    unit = database.unit_of_work()
    try:
        changed = [name for name, items in shipped.items()
                   if shared_lists.publish_if_changed(unit, name, items)]  # fmt: skip
        unit.commit()
        return changed
    finally:
        unit.close()
        database.dispose()


def shipped_sets(folder: Path = QUESTION_SETS_DIR) -> list[dict]:
    """The shipped documents, checked by the generator's own schema."""
    return [
        dump(QuestionSetDocumentSchema, load(QuestionSetDocumentSchema, _read(path)))
        for path in sorted(folder.glob("*.yaml"))
    ]


def publish_shipped_sets(uri: str, folder: Path = QUESTION_SETS_DIR) -> list[str]:
    """Publish each shipped set that differs from its latest version: ``key vN`` of each."""
    database = StandaloneDatabase(Base, "requests", uri)
    done = []
    try:
        for document in shipped_sets(folder):
            unit = database.unit_of_work()
            try:
                if _latest_document(unit, document["key"]) != document:
                    generator.create_draft(unit, None, document)
                    version = generator.publish(unit, None, document["key"], None)
                    unit.commit()
                    done.append(f"{document['key']} v{version.number}")
            finally:
                unit.close()
    finally:
        database.dispose()
    return done


def _latest_document(unit, set_key: str) -> dict | None:
    try:
        return generator.published(unit.session, set_key).document
    except NotFound:
        return None


def _read(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))
