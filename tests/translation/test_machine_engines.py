"""The engines on their own: the local CTranslate2 engine on real tiny models the test builds
(stand-ins for real Argos or OPUS-MT models), and the HTTP engines against a local stand-in
server speaking their protocol."""

from __future__ import annotations

import pytest

from services.common.errors import Unavailable, ValidationFailed
from services.translation.machine.ctranslate2_engine import CTranslate2Engine
from services.translation.machine.etranslation import ETranslationEngine, parse_callback
from services.translation.machine.libretranslate import LibreTranslateEngine
from services.translation.machine.masking import mask

from .machine_harness import FakeEngineServer, build_tiny_model

# --- the local engine -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("models")
    build_tiny_model(folder, "de", "en", seed=1)
    build_tiny_model(folder, "en", "fr", seed=2)
    return folder


def test_the_local_engine_offers_its_direct_pairs_and_the_pivots_through_english(model_dir):
    engine = CTranslate2Engine(model_dir)

    assert engine.direct_pairs() == {("de", "en"), ("en", "fr")}
    assert engine.pairs() == {("de", "en"), ("en", "fr"), ("de", "fr")}
    assert engine.external is False


def test_models_are_loaded_on_first_use_only(model_dir):
    engine = CTranslate2Engine(model_dir)
    assert engine.loaded() == set()

    engine.translate(["guten Tag"], "de", "en")

    assert engine.loaded() == {("de", "en")}


def test_a_batch_is_tokenised_translated_and_decoded_in_order_on_a_tiny_real_model(model_dir):
    engine = CTranslate2Engine(model_dir, batch_size=2)
    texts = ["guten Tag", "das Amt erkennt Berufsqualifikationen an", "die Behörde prüft"]

    batch = engine.translate(texts, "de", "en")
    one_by_one = [engine.translate([text], "de", "en")[0] for text in texts]

    assert len(batch) == 3
    assert all(isinstance(text, str) for text in batch)
    assert batch == one_by_one


def test_a_pair_without_a_model_goes_through_english(model_dir):
    engine = CTranslate2Engine(model_dir)
    texts = ["guten Tag", "die Behörde prüft"]

    pivoted = engine.translate(texts, "de", "fr")

    assert engine.route("de", "fr") == [("de", "en"), ("en", "fr")]
    assert pivoted == engine.translate(engine.translate(texts, "de", "en"), "en", "fr")


def test_an_unsupported_pair_is_a_clear_validation_error(model_dir):
    with pytest.raises(ValidationFailed) as raised:
        CTranslate2Engine(model_dir).translate(["bonjour"], "fr", "de")

    assert raised.value.code == "error.machine_translation.unsupported_pair"


def test_a_missing_model_folder_offers_no_pairs(tmp_path):
    assert CTranslate2Engine(tmp_path / "nowhere").pairs() == set()


def test_a_broken_model_is_an_engine_failure_not_a_crash(tmp_path):
    broken = tmp_path / "de-en"
    broken.mkdir()
    (broken / "model.bin").write_bytes(b"not a model")

    with pytest.raises(Unavailable) as raised:
        CTranslate2Engine(tmp_path).translate(["guten Tag"], "de", "en")

    assert raised.value.code == "error.machine_translation.engine_failed"


# --- LibreTranslate -------------------------------------------------------------------------

LANGUAGES = [
    {"code": "de", "name": "German", "targets": ["de", "en", "fr"]},
    {"code": "en", "name": "English", "targets": ["de", "en", "fr"]},
]


def libretranslate(translate=None, delay=0.0):
    def respond(method, path, body):
        if path == "/languages":
            return 200, LANGUAGES, 0
        if translate is not None:
            return translate(body)
        return 200, {"translatedText": [f"<{body['target']}>{q}" for q in body["q"]]}, delay

    return respond


def test_libretranslate_receives_the_batch_with_the_api_key_and_answers_in_order():
    with FakeEngineServer(libretranslate()) as server:
        engine = LibreTranslateEngine(server.url, "secret-key", timeout=2)

        assert engine.translate(["Guten Tag", "Danke"], "de", "en") == [
            "<en>Guten Tag",
            "<en>Danke",
        ]
        method, path, body = server.requests[-1]

    assert (method, path) == ("POST", "/translate")
    assert body == {"q": ["Guten Tag", "Danke"], "source": "de", "target": "en",
                    "format": "text", "api_key": "secret-key"}  # fmt: skip
    assert engine.external is True


def test_libretranslate_pairs_come_from_its_languages():
    with FakeEngineServer(libretranslate()) as server:
        engine = LibreTranslateEngine(server.url, timeout=2)
        assert ("de", "fr") in engine.pairs()

        with pytest.raises(ValidationFailed) as raised:
            engine.translate(["Dia duit"], "ga", "en")

    assert raised.value.code == "error.machine_translation.unsupported_pair"


@pytest.mark.parametrize(
    ("answer", "error", "code"),
    [
        ((500, {"error": "boom"}, 0), Unavailable, "error.machine_translation.engine_failed"),
        ((502, b"<html>bad gateway</html>", 0), Unavailable,
         "error.machine_translation.engine_failed"),
        ((200, b"not json", 0), Unavailable, "error.machine_translation.engine_failed"),
        ((200, {"translatedText": ["only one"]}, 0), Unavailable,
         "error.machine_translation.engine_failed"),
        ((400, {"error": "Invalid request: request (6000) exceeds text limit (5000)"}, 0),
         ValidationFailed, "error.machine_translation.rejected"),
        ((400, {"error": "en is not supported"}, 0), ValidationFailed,
         "error.machine_translation.unsupported_pair"),
        ((403, {"error": "Invalid API key"}, 0), Unavailable,
         "error.machine_translation.engine_failed"),
        ((429, {"error": "Slowdown"}, 0), Unavailable, "error.machine_translation.unreachable"),
    ],
)  # fmt: skip
def test_libretranslate_errors_become_clear_errors(answer, error, code):
    with (
        FakeEngineServer(libretranslate(lambda body: answer)) as server,
        pytest.raises(error) as raised,
    ):
        LibreTranslateEngine(server.url, timeout=2).translate(["a", "b"], "de", "en")

    assert raised.value.code == code


def test_a_libretranslate_server_that_does_not_answer_in_time_is_unreachable():
    slow = libretranslate(lambda body: (200, {"translatedText": ["late"]}, 1.5))
    with FakeEngineServer(slow) as server:
        engine = LibreTranslateEngine(server.url, timeout=0.3)
        engine.pairs()
        with pytest.raises(Unavailable) as raised:
            engine.translate(["Guten Tag"], "de", "en")

    assert raised.value.code == "error.machine_translation.unreachable"
    assert "0.3 s" in raised.value.detail


def test_a_libretranslate_server_that_is_not_running_is_unreachable():
    with FakeEngineServer(libretranslate()) as server:
        url = server.url
    with pytest.raises(Unavailable) as raised:
        LibreTranslateEngine(url, timeout=1).translate(["Guten Tag"], "de", "en")

    assert raised.value.code == "error.machine_translation.unreachable"


def test_personal_data_masked_before_libretranslate_never_reaches_the_stand_in_server():
    text = ("Frau Erika Mustermann, geboren am 12. März 1985, wohnhaft Hauptstraße 5, 80331 "
            "München, Tel. +49 89 1234567, erika.mustermann@example.de, IBAN DE89 3704 0044 "
            "0532 0130 00.")  # fmt: skip
    masked = mask(text)
    with FakeEngineServer(libretranslate()) as server:
        [translated] = LibreTranslateEngine(server.url, timeout=2).translate(
            [masked.text], "de", "en"
        )
        received = server.received_text()

    for secret in ("Erika", "Mustermann", "1985", "Hauptstraße", "80331", "1234567",
                   "example.de", "DE89", "0532"):  # fmt: skip
        assert secret not in received
    assert masked.restore(translated) == "<en>" + text


# --- eTranslation-style -----------------------------------------------------------------------


def test_etranslation_submits_the_text_with_its_callback_and_returns_the_request_id():
    with FakeEngineServer(lambda method, path, body: (200, b"4711", 0)) as server:
        engine = ETranslationEngine(server.url, "IMI", "password", timeout=2)
        request_id = engine.submit("Guten Tag", "de", "fr", "https://imi.example/cb", "job-1")
        _, _, body = server.requests[-1]

    assert request_id == "4711"
    assert body["sourceLanguage"] == "DE"
    assert body["targetLanguages"] == ["FR"]
    assert body["textToTranslate"] == "Guten Tag"
    assert body["requesterCallback"] == body["errorCallback"] == "https://imi.example/cb"
    assert body["externalReference"] == "job-1"


@pytest.mark.parametrize(
    ("answer", "code"),
    [
        ((200, b"-20001", 0), "error.machine_translation.engine_failed"),
        ((200, b"<html>", 0), "error.machine_translation.engine_failed"),
        ((503, b"", 0), "error.machine_translation.engine_failed"),
        ((200, b"1", 1.5), "error.machine_translation.unreachable"),
    ],
)
def test_etranslation_errors_and_timeouts_become_clear_errors(answer, code):
    with (
        FakeEngineServer(lambda method, path, body: answer) as server,
        pytest.raises(Unavailable) as raised,
    ):
        ETranslationEngine(server.url, timeout=0.3).submit("a", "de", "fr", "u", "r")

    assert raised.value.code == code


def test_etranslation_refuses_a_pair_outside_the_supported_languages():
    with pytest.raises(ValidationFailed):
        ETranslationEngine("http://127.0.0.1:9").submit("a", "de", "zh", "u", "r")


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"request-id": "", "translated-text": "x"},
        {"request-id": "1"},
        {"request-id": "1", "translated-text": 5},
        {"request-id": ["1"], "translated-text": "x"},
    ],
)
def test_a_malformed_callback_is_refused(data):
    with pytest.raises(ValidationFailed):
        parse_callback(data)


def test_a_callback_carries_a_translation_or_an_error():
    assert parse_callback({"request-id": 7, "translated-text": "Bonjour"}).text == "Bonjour"
    failed = parse_callback({"request-id": "7", "error-code": -20000, "error-message": "bad"})
    assert (failed.text, failed.error) == (None, "bad")
