"""Machine translation through the running translation service: the local CTranslate2 engine on
tiny real models, a LibreTranslate stand-in server, the eTranslation-style asynchronous flow
with its callbacks (and a restart in the middle), and the informal titles of authorities."""

from __future__ import annotations

import io
import json
import re
import uuid
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from nameko.events import event_handler
from nameko.exceptions import RpcTimeout
from nameko.standalone.events import event_dispatcher
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from gateway.inputs import read_form_object
from services.common.envelope import make_envelope
from services.common.errors import Conflict, NotFound, Unavailable, ValidationFailed
from services.common.metrics import EVENTS_HANDLED
from services.common.reference import SUPPORTED_LANGUAGES
from services.translation.machine import memory
from services.translation.schemas import CallbackBodySchema
from services.translation.service import TranslationService
from tests.events import EventLog, event_data, wait_until
from tests.services import started_on_clock
from tests.signed_rpc import SignedRpcProxy

from .harness import administrator, entry, translator, user
from .machine_harness import FakeEngineServer, build_tiny_model, libretranslate
from .personal_data_samples import REPORTED, leaks

GERMAN = "Die Behörde prüft die Unterlagen und erkennt die Berufsqualifikation an."


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("models")
    build_tiny_model(folder, "de", "en", seed=1)
    build_tiny_model(folder, "en", "fr", seed=2)
    return folder


@pytest.fixture
def translation_uri(service_database) -> str:
    """The service's database without the shipped catalogue (conftest.py loads it): these
    tests need no translation memory, and start four times faster."""
    return service_database("translation", template="translation_without_content")


@pytest.fixture
def titles_log(container_factory, translation_config) -> EventLog:
    """Every ``informal_titles_translated`` the service publishes."""
    log = EventLog()

    class TitlesListener:
        name = "machine_titles_listener"

        @event_handler("translation", "informal_titles_translated")
        def on_titles(self, envelope):
            log.add("informal_titles_translated", envelope)

    container_factory(TitlesListener, translation_config).start()
    return log


@pytest.fixture
def start(container_factory, translation_config, frozen_clock, titles_log):
    """Start the service with a TRANSLATION section; the RPC proxy (and the container)."""
    proxies = []

    def started(**settings):
        config = {**translation_config, "TRANSLATION": settings}
        container = started_on_clock(container_factory, TranslationService, config, frozen_clock)
        proxy = SignedRpcProxy(translation_config, timeout=15)
        proxies.append(proxy)
        return proxy.start().translation, container

    yield started
    for proxy in proxies:
        proxy.stop()


def translations(server) -> list:
    return [body for method, path, body in server.requests if path == "/translate"]


# --- the local engine -------------------------------------------------------------------------


def test_the_local_engine_translates_on_a_tiny_model_labelled_beside_the_original(start, model_dir):
    rpc, _ = start(ENGINE="ctranslate2", MODEL_DIR=str(model_dir))

    result = rpc.translate_text(user(), {"text": GERMAN, "source": "de", "target": "en"})
    pivoted = rpc.translate_text(user(), {"text": GERMAN, "source": "de", "target": "fr"})

    assert result["machine_translation"] is True
    assert result["engine"] == "ctranslate2"
    assert result["original"] == GERMAN
    assert (result["source_language"], result["target_language"]) == ("de", "en")
    assert result["status"] == "done"
    assert result["detected"] is False
    assert isinstance(result["text"], str)
    assert pivoted["engine"] == "ctranslate2"
    assert isinstance(pivoted["text"], str)


def test_a_pair_the_models_do_not_cover_is_a_clear_400(start, model_dir):
    rpc, _ = start(ENGINE="ctranslate2", MODEL_DIR=str(model_dir))

    with pytest.raises(ValidationFailed) as raised:
        rpc.translate_text(user(), {"text": "Bonjour à tous.", "source": "fr", "target": "de"})

    assert raised.value.code == "error.machine_translation.unsupported_pair"


def test_without_an_engine_the_answer_is_503_saying_how_to_configure_one(start):
    rpc, _ = start(ENGINE="none")

    with pytest.raises(Unavailable) as raised:
        rpc.translate_text(user(), {"text": GERMAN, "source": "de", "target": "en"})

    assert raised.value.code == "error.machine_translation.no_engine"
    assert "TRANSLATION.ENGINE" in raised.value.detail
    assert "docs/machine-translation.md" in raised.value.detail


def test_the_same_language_needs_no_engine(start):
    rpc, _ = start(ENGINE="none")

    result = rpc.translate_text(user(), {"text": GERMAN, "source": "de", "target": "de"})

    assert result["machine_translation"] is False
    assert result["text"] == GERMAN


def test_the_translation_memory_answers_first_even_without_an_engine(start):
    rpc, _ = start(ENGINE="none")
    [source] = rpc.register_entries(
        administrator(), {"entries": [entry(source_text="The request was accepted.")]}
    )["entries"]
    rpc.submit_translation(
        translator(), "de", source["key"], {"text": "Die Anfrage wurde angenommen.", "version": 0}
    )

    result = rpc.translate_text(
        user(), {"text": "the request was accepted", "source": "en", "target": "de"}
    )

    assert result["engine"] == "memory"
    assert result["text"] == "Die Anfrage wurde angenommen."
    assert result["machine_translation"] is True


@pytest.mark.parametrize("read_by_key_up_to", [memory.READ_CHANGED_UP_TO, 0])
def test_the_translation_memory_follows_the_catalogue_entry_by_entry(
    start, monkeypatch, read_by_key_up_to
):
    """Changed entries read by key, or (a large change) the whole catalogue read again."""
    monkeypatch.setattr(memory, "READ_CHANGED_UP_TO", read_by_key_up_to)
    rpc, _ = start(ENGINE="none")
    accepted, returned = (
        entry(name=name, source_text=text)
        for name, text in (("accepted", "The request was accepted."),
                           ("returned", "The request was returned."))
    )  # fmt: skip
    rpc.register_entries(administrator(), {"entries": [accepted, returned]})
    rpc.submit_translation(
        translator(), "de", accepted["key"], {"text": "Die Anfrage wurde angenommen.", "version": 0}
    )

    def in_memory(text: str) -> str | None:
        try:
            found = rpc.translate_text(user(), {"text": text, "source": "en", "target": "de"})
        except Unavailable:  # no engine, and the memory has nothing
            return None
        return found["text"] if found["engine"] == "memory" else None

    assert in_memory("The request was accepted") == "Die Anfrage wurde angenommen."
    assert in_memory("The request was returned") is None
    rpc.submit_translation(
        translator(), "de", returned["key"], {"text": "Die Anfrage kam zurück.", "version": 0}
    )
    assert in_memory("The request was returned") == "Die Anfrage kam zurück."
    # a new source text makes its translation outdated: no longer memory
    rpc.register_entries(
        administrator(), {"entries": [{**accepted, "source_text": "The request was taken on."}]}
    )
    assert in_memory("The request was accepted") is None
    assert in_memory("The request was returned") == "Die Anfrage kam zurück."


# --- an external engine (LibreTranslate) --------------------------------------------------------


def test_libretranslate_translates_and_a_repeat_comes_from_the_cache(start):
    with libretranslate() as server:
        rpc, _ = start(ENGINE="libretranslate", LIBRETRANSLATE_URL=server.url)

        first = rpc.translate_text(user(), {"text": GERMAN, "source": "de", "target": "en"})
        again = rpc.translate_text(user(), {"text": GERMAN, "source": "de", "target": "en"})

        assert first["engine"] == "libretranslate"
        assert first["text"] == f"[en] {GERMAN}"
        assert again == first
        assert len(translations(server)) == 1


def test_without_a_source_the_language_is_detected(start):
    with libretranslate() as server:
        rpc, _ = start(ENGINE="libretranslate", LIBRETRANSLATE_URL=server.url)

        result = rpc.translate_text(user(), {"text": GERMAN, "target": "fr"})
        detected = rpc.detect_language(user(), {"text": GERMAN})

        assert result["detected"] is True
        assert result["source_language"] == "de"
        assert translations(server)[0]["source"] == "de"
        assert detected["language"] == "de"
        assert 0 < detected["confidence"] <= 1


def test_personal_data_is_masked_before_the_external_engine_and_put_back(start):
    text = (
        "Sehr geehrte Frau Dr. Erika Mustermann, wir haben Ihre Unterlagen erhalten. "
        "Bitte schreiben Sie an erika.mustermann@example.de oder rufen Sie +49 89 1234567 an."
    )
    with libretranslate() as server:
        rpc, _ = start(ENGINE="libretranslate", LIBRETRANSLATE_URL=server.url)

        result = rpc.translate_text(user(), {"text": text, "source": "de", "target": "en"})

        sent = server.received_text()
        for personal in ("Mustermann", "erika.mustermann@example.de", "1234567"):
            assert personal not in sent
            assert personal in result["text"]
        assert "⟦" in sent


def test_the_subjects_personal_data_the_caller_passes_never_reaches_the_external_engine(start):
    with libretranslate(SUPPORTED_LANGUAGES) as server:
        rpc, _ = start(ENGINE="libretranslate", LIBRETRANSLATE_URL=server.url)

        for language, (text, personal_data, written) in REPORTED.items():
            request = {"text": text, "source": language, "target": "en",
                       "personal_data": personal_data}  # fmt: skip
            result = rpc.translate_text(user(), request)

            assert leaks(json.dumps(translations(server)[-1], ensure_ascii=False),
                         *personal_data, *written) == []  # fmt: skip
            assert result["text"] == f"[en] {text}"
        with pytest.raises(ValidationFailed) as too_many:
            rpc.translate_text(user(), {"text": "Guten Tag.", "source": "de", "target": "en",
                                        "personal_data": ["Erika"] * 51})  # fmt: skip

    assert "personal_data" in too_many.value.extra["errors"]


def test_oversized_texts_timeouts_and_refusals_are_clear_errors(start):
    def respond(method, path, body):
        if path == "/languages":
            return 200, [{"code": "de", "targets": ["en"]}, {"code": "en", "targets": ["de"]}], 0
        return 200, {"translatedText": body["q"]}, 2.0  # too slow

    with FakeEngineServer(respond) as server:
        rpc, _ = start(ENGINE="libretranslate", LIBRETRANSLATE_URL=server.url,
                       TIMEOUT_SECONDS="0.3", MAX_TEXT_CHARS="100")  # fmt: skip

        with pytest.raises(ValidationFailed) as too_long:
            rpc.translate_text(user(), {"text": "Wort " * 30, "source": "de", "target": "en"})
        with pytest.raises(Unavailable) as too_slow:
            rpc.translate_text(user(), {"text": "Guten Tag.", "source": "de", "target": "en"})
        with pytest.raises(ValidationFailed) as unsupported:
            rpc.translate_text(user(), {"text": "Guten Tag.", "source": "de", "target": "fr"})

    assert "text" in too_long.value.extra["errors"]
    assert too_slow.value.code == "error.machine_translation.unreachable"
    assert unsupported.value.code == "error.machine_translation.unsupported_pair"


# --- the asynchronous engine ------------------------------------------------------------------


class ETranslationStandIn(FakeEngineServer):
    """Answers every request with a new request id; keeps the callback URLs it was given."""

    def __init__(self):
        self.next_id = 4710
        super().__init__(self._respond)

    def _respond(self, method, path, body):
        self.next_id += 1
        return 200, str(self.next_id).encode(), 0

    def job(self, index: int = -1) -> tuple[str, str, str, dict]:
        """(job id, token, request id, body sent) of a request."""
        body = self.requests[index][2]
        url = urlsplit(body["requesterCallback"])
        job_id = url.path.rsplit("/", 1)[-1]
        token = parse_qs(url.query)["token"][0]
        return job_id, token, str(4711 + (index % len(self.requests))), body


@pytest.fixture
def etranslation():
    with ETranslationStandIn() as server:
        yield server


def async_settings(server) -> dict:
    return {"ENGINE": "etranslation", "ETRANSLATION_URL": server.url,
            "CALLBACK_BASE_URL": "https://imi.example.eu/"}  # fmt: skip


def test_an_asynchronous_engine_answers_with_a_job_then_on_the_callback(start, etranslation):
    rpc, _ = start(**async_settings(etranslation))
    asker = user()
    text = "Frau Erika Mustermann hat die Unterlagen am 12.03.2024 eingereicht."

    pending = rpc.translate_text(asker, {"text": text, "source": "de", "target": "en"})
    job_id, token, request_id, sent = etranslation.job()

    # the job is stored first and handed to the engine once stored: the answer, which a
    # repeated call returns too, is the stored job; the engine has it by the time it arrives
    assert pending["status"] == "submitting"
    assert pending["job_id"] == job_id
    assert pending["text"] is None
    assert pending["engine"] == "etranslation"
    assert sent["requesterCallback"].startswith(
        f"https://imi.example.eu/api/v1/machine-translation/callbacks/{job_id}?token="
    )
    assert "Mustermann" not in sent["textToTranslate"]
    assert rpc.machine_translation_job(asker, job_id)["status"] == "pending"
    translated = sent["textToTranslate"].replace("hat die Unterlagen", "submitted the papers")

    answer = rpc.machine_translation_callback(
        job_id, {"token": token},
        {"request-id": request_id, "target-language": "EN", "translated-text": translated,
         "external-reference": job_id},
    )  # fmt: skip

    assert answer == {"job_id": job_id, "status": "done"}
    done = rpc.machine_translation_job(asker, job_id)
    assert done["status"] == "done"
    assert "Erika Mustermann" in done["text"]
    assert "submitted the papers" in done["text"]
    assert done["original"] == text
    with pytest.raises(NotFound):
        rpc.machine_translation_job(user(), job_id)  # another user's job


def test_bad_callbacks_are_client_errors_and_change_nothing(start, etranslation):
    rpc, _ = start(**async_settings(etranslation))
    asker = user()
    rpc.translate_text(asker, {"text": "Guten Tag.", "source": "de", "target": "en"})
    job_id, token, request_id, _ = etranslation.job()
    good = {"request-id": request_id, "translated-text": "Good day."}

    with pytest.raises(NotFound):
        rpc.machine_translation_callback(job_id, {"token": "x" * 32}, good)
    with pytest.raises(NotFound):
        rpc.machine_translation_callback(str(uuid.uuid4()), {"token": token}, good)
    with pytest.raises(ValidationFailed):
        rpc.machine_translation_callback(job_id, {}, good)
    with pytest.raises(ValidationFailed):
        rpc.machine_translation_callback(job_id, {"token": token}, {"translated-text": "x"})
    with pytest.raises(ValidationFailed):
        rpc.machine_translation_callback(job_id, {"token": token}, {"request-id": request_id})
    with pytest.raises(ValidationFailed):
        rpc.machine_translation_callback(job_id, {"token": token}, {**good, "request-id": "9"})
    with pytest.raises(ValidationFailed):
        rpc.machine_translation_callback(job_id, {"token": token}, ["not", "an", "object"])
    assert rpc.machine_translation_job(asker, job_id)["status"] == "pending"

    rpc.machine_translation_callback(job_id, {"token": token}, good)
    with pytest.raises(Conflict):
        rpc.machine_translation_callback(job_id, {"token": token}, {**good,
                                         "translated-text": "Something else."})  # fmt: skip

    assert rpc.machine_translation_job(asker, job_id)["text"] == "Good day."


def test_the_error_callback_fails_the_job_with_the_engines_reason(start, etranslation):
    rpc, _ = start(**async_settings(etranslation))
    asker = user()
    rpc.translate_text(asker, {"text": "Guten Tag.", "source": "de", "target": "en"})
    job_id, token, request_id, _ = etranslation.job()

    rpc.machine_translation_callback(
        job_id, {"token": token},
        {"request-id": request_id, "error-code": "-20000", "error-message": "Source empty"},
    )  # fmt: skip

    failed = rpc.machine_translation_job(asker, job_id)
    assert failed["status"] == "failed"
    assert failed["error"] == "Source empty"


def test_a_pending_job_survives_a_restart_of_the_service(start, etranslation):
    rpc, container = start(**async_settings(etranslation))
    asker = user()
    pending = rpc.translate_text(asker, {"text": "Guten Tag.", "source": "de", "target": "en"})
    job_id, token, request_id, _ = etranslation.job()
    before_restart = rpc.machine_translation_job(asker, job_id)
    container.kill()

    rpc, _ = start(**async_settings(etranslation))  # a new process on the same database file
    rpc.machine_translation_callback(
        job_id, {"token": token}, {"request-id": request_id, "translated-text": "Good day."}
    )

    assert pending["job_id"] == job_id
    assert before_restart["status"] == "pending"
    assert rpc.machine_translation_job(asker, job_id)["text"] == "Good day."


def test_the_gateway_reads_a_form_encoded_callback_as_the_engine_sends_it():
    body = "request-id=4711&target-language=EN&translated-text=Gr%C3%BC%C3%9Fe+%26+mehr"
    request = Request(
        EnvironBuilder(
            method="POST", input_stream=io.BytesIO(body.encode()),
            content_type="application/x-www-form-urlencoded", content_length=len(body),
        ).get_environ()
    )  # fmt: skip

    data, raw = read_form_object(request, CallbackBodySchema(), 65536)

    assert data == {
        "request-id": "4711",
        "target-language": "EN",
        "translated-text": "Grüße & mehr",
    }
    assert raw == body.encode()
    twice = Request(
        EnvironBuilder(method="POST", data="a=1&a=2",
                       content_type="application/x-www-form-urlencoded").get_environ()
    )  # fmt: skip
    with pytest.raises(ValidationFailed):
        read_form_object(twice, CallbackBodySchema(), 65536)


# --- informal titles of authorities -----------------------------------------------------------


def authority_event(config, event: str, authority_id: str, titles: dict, **data) -> None:
    payload = event_data("directory", event, authority_id=authority_id, official_language="de",
                         titles=titles, changed=["titles"], **data)  # fmt: skip
    envelope = make_envelope("directory", event, authority_id, payload, datetime.now(UTC))
    event_dispatcher(config)("directory", event, envelope)


def test_an_authoritys_missing_titles_are_machine_translated_once(
    start, model_dir, translation_config, titles_log
):
    start(ENGINE="ctranslate2", MODEL_DIR=str(model_dir))
    authority_id = str(uuid.uuid4())
    titles = {"de": "Anerkennungsstelle für Heilberufe"}

    authority_event(translation_config, "authority_registered", authority_id, titles)
    [event] = titles_log.wait_for("informal_titles_translated", authority_id)

    data = event["data"]
    assert set(data["titles"]) == {"en", "fr"}  # the pairs the models offer, pivot included
    assert data["status"] == "machine"
    assert data["engine"] == "ctranslate2"
    # the directory stores them and says so: the next round has nothing left to translate
    authority_event(translation_config, "authority_updated", authority_id,
                    {**titles, **data["titles"]})  # fmt: skip
    other = str(uuid.uuid4())
    authority_event(translation_config, "authority_registered", other, titles)
    titles_log.wait_for("informal_titles_translated", other)
    assert len(titles_log.of("informal_titles_translated", authority_id)) == 1


def test_an_asynchronous_engine_sends_each_title_once_and_reports_it_on_the_callback(
    start, etranslation, translation_config, titles_log
):
    rpc, _ = start(**async_settings(etranslation))
    authority_id = str(uuid.uuid4())
    titles = {"de": "Anerkennungsstelle für Heilberufe"}

    authority_event(translation_config, "authority_registered", authority_id, titles)
    wait_until(lambda: len(etranslation.requests) == 25, "25 titles submitted")
    index = next(i for i, (_, _, body) in enumerate(etranslation.requests)
                 if body["targetLanguages"] == ["EN"])  # fmt: skip
    job_id, token, request_id, _ = etranslation.job(index)
    rpc.machine_translation_callback(
        job_id, {"token": token},
        {"request-id": request_id, "translated-text": "Recognition of health professions"},
    )  # fmt: skip
    [event] = titles_log.wait_for("informal_titles_translated", authority_id)
    # the directory's authority_updated that follows submits nothing again
    authority_event(translation_config, "authority_updated", authority_id,
                    {**titles, "en": "Recognition of health professions"})  # fmt: skip
    authority_event(translation_config, "authority_registered", str(uuid.uuid4()), titles)
    wait_until(lambda: len(etranslation.requests) == 50, "the next authority's titles")

    assert event["data"]["titles"] == {"en": "Recognition of health professions"}
    assert event["data"]["engine"] == "etranslation"
    assert len(etranslation.requests) == 50


def handled(outcome: str) -> float:
    """How many authority events the title handler has ended with ``outcome`` so far."""
    labels = ("translation", "translation.on_authority_titles", outcome)
    return EVENTS_HANDLED.labels(*labels)._value.get()


def test_a_redelivered_authority_event_with_the_synchronous_engine_is_handled_once(
    start, translation_config, titles_log
):
    authority_id = str(uuid.uuid4())
    payload = event_data("directory", "authority_registered", authority_id=authority_id,
                         official_language="de",
                         titles={"de": "Anerkennungsstelle für Heilberufe"})  # fmt: skip
    envelope = make_envelope("directory", "authority_registered", authority_id, payload,
                             datetime.now(UTC))  # fmt: skip
    before = handled("handled"), handled("duplicate")
    with libretranslate() as server:
        start(ENGINE="libretranslate", LIBRETRANSLATE_URL=server.url)
        dispatch = event_dispatcher(translation_config)

        dispatch("directory", "authority_registered", envelope)
        titles_log.wait_for("informal_titles_translated", authority_id)
        dispatch("directory", "authority_registered", envelope)  # as the broker redelivers
        wait_until(lambda: handled("handled") + handled("duplicate") == sum(before) + 2,
                   "the second delivery")  # fmt: skip

    assert (handled("handled"), handled("duplicate")) == (before[0] + 1, before[1] + 1)
    assert len(titles_log.of("informal_titles_translated", authority_id)) == 1
    # one engine call per language, each remembered: en and fr (the stand-in's languages)
    assert sorted(body["target"] for body in translations(server)) == ["en", "fr"]


class SlowETranslation(ETranslationStandIn):
    """Takes ``delay`` seconds to answer its first submission."""

    def __init__(self, delay: float):
        super().__init__()
        self.delay = delay

    def _respond(self, method, path, body):
        status, answer, _ = super()._respond(method, path, body)
        return status, answer, self.delay if len(self.requests) == 1 else 0


def test_a_call_repeated_while_its_job_is_being_submitted_submits_it_once(
    start, translation_config
):
    with SlowETranslation(delay=1.5) as etranslation:
        start(**async_settings(etranslation))
        asker = user()
        request = {"text": "Guten Tag.", "source": "de", "target": "en"}
        key = {"idempotency_key": f"mt-{uuid.uuid4()}"}

        impatient = SignedRpcProxy(translation_config, context_data=key, timeout=0.5)
        with impatient as rpc, pytest.raises(RpcTimeout):  # the caller gives up meanwhile
            rpc.translation.translate_text(asker, request)
        with SignedRpcProxy(translation_config, context_data=key, timeout=10) as rpc:
            repeated = rpc.translation.translate_text(asker, request)

            def submitted():
                job = rpc.translation.machine_translation_job(asker, repeated["job_id"])
                return job["status"] == "pending"

            wait_until(submitted, "the first submission")

    [(_, _, sent)] = etranslation.requests
    assert sent["externalReference"] == repeated["job_id"]


def test_the_callback_path_is_the_one_the_gateway_serves():
    from gateway.routes import ROUTES
    from services.translation.machine.operations import CALLBACK_PATH

    route = ROUTES["machine_translation_callback"]
    path = CALLBACK_PATH.split("?")[0]
    assert re.sub(r"\{\w+\}", "{}", path) == re.sub(r"\{\w+\}", "{}", route.path)
    assert route.authenticated is False


def test_the_engine_posts_its_callback_to_the_gateway_form_encoded_or_as_json(
    start, etranslation, container_factory, translation_config
):
    from gateway.service import GatewayService
    from tests.conftest import HttpSession, free_port

    rpc, _ = start(**async_settings(etranslation))
    address = f"127.0.0.1:{free_port()}"
    container_factory(GatewayService, {**translation_config, "WEB_SERVER_ADDRESS": address}).start()
    asker = user()
    for text in ("Guten Tag.", "Auf Wiedersehen."):
        rpc.translate_text(asker, {"text": text, "source": "de", "target": "en"})
    (first, token, request_id, _), second = etranslation.job(0), etranslation.job(1)
    path = "/api/v1/machine-translation/callbacks"

    with HttpSession(f"http://{address}") as web:
        no_token = web.post(f"{path}/{first}", data={"request-id": request_id})
        wrong = web.post(f"{path}/{first}?token={'x' * 32}", data={"request-id": request_id,
                         "translated-text": "Good day."})  # fmt: skip
        form = web.post(f"{path}/{first}?token={token}", data={
            "request-id": request_id, "target-language": "EN", "translated-text": "Good day.",
        })  # fmt: skip
        again = web.post(f"{path}/{first}?token={token}", data={
            "request-id": request_id, "translated-text": "Hello.",
        })  # fmt: skip
        as_json = web.post(f"{path}/{second[0]}?token={second[1]}", json={
            "request-id": int(second[2]), "translated-text": "Goodbye.",
        })  # fmt: skip
        form_type = {"Content-Type": "application/x-www-form-urlencoded"}
        malformed = web.post(
            f"{path}/{second[0]}?token={second[1]}", data="a&&=", headers=form_type
        )

    assert no_token.status_code == 400
    assert wrong.status_code == 404
    assert form.status_code == 200, form.text
    assert form.json() == {"job_id": first, "status": "done"}
    assert again.status_code == 409
    assert as_json.status_code == 200, as_json.text
    assert malformed.status_code == 400
    assert rpc.machine_translation_job(asker, first)["text"] == "Good day."
    assert rpc.machine_translation_job(asker, second[0])["text"] == "Goodbye."
