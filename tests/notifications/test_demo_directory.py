"""The directory's demo authorities in the notifications service's read model
(services/notifications/demo.py): each member state's mailbox and the Commission's are known
before the directory publishes anything, a second preparation changes nothing, and the
directory's own events, later, overwrite what the demo wrote."""

from __future__ import annotations

from services.common.reference import COMMISSION, EEA_COUNTRIES
from services.directory.demo import demo_id
from services.notifications import directory_view
from services.notifications.demo import load_demo_directory
from services.notifications.models import KnownAuthority

SD, PQ = "services", "professional_qualifications"
ROMA = demo_id("IT/municipality/Roma")


def test_every_mailbox_is_known_and_roma_takes_part_in_alerts(mail_database):
    uri = str(mail_database.engine.url)
    assert load_demo_directory(uri) > 400
    assert load_demo_directory(uri) == 0  # a second preparation adds nothing
    unit = mail_database.unit_of_work()
    session = unit.session
    states = [*EEA_COUNTRIES, COMMISSION]

    assert sorted(directory_view.mailboxes(session, states, SD)) == sorted(states)
    assert sorted(directory_view.mailboxes(session, states, PQ)) == sorted(EEA_COUNTRIES)
    assert directory_view.mailboxes(session, ["DE"], SD) == {"DE": demo_id("DE/NIMIC")}
    assert directory_view.alert_authorities(session, [ROMA], PQ) == {ROMA: "IT"}
    assert (
        directory_view.title(session, ROMA, "en") == "Business licensing office of the city of Roma"
    )
    unit.close()


def test_the_directory_s_event_overwrites_what_the_demo_wrote(mail_database):
    load_demo_directory(str(mail_database.engine.url))
    unit = mail_database.unit_of_work()
    directory_view.remember_authority(unit, {
        "authority_id": ROMA, "member_state": "IT", "official_name": "Roma Capitale",
        "titles": {}, "version": 1, "coordinator_kind": None, "areas": [],
    })  # fmt: skip
    unit.commit()
    assert unit.session.get(KnownAuthority, ROMA).official_name == "Roma Capitale"
    assert directory_view.alert_authorities(unit.session, [ROMA], SD) == {}
    unit.close()
    load_demo_directory(str(mail_database.engine.url))  # a later preparation leaves it
    unit = mail_database.unit_of_work()
    assert unit.session.get(KnownAuthority, ROMA).official_name == "Roma Capitale"
    unit.close()
