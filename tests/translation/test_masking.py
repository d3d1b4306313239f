"""Personal data is masked before an external engine and restored after it: realistic texts
of several languages without the caller's values, the caller's values however they are
written, dates of every supported language, words that merely look like a month or a name,
and the contract's bounds (pure: no engine, no database; test_masking_languages.py has a
text per language through a recording engine)."""

# Greek and Cyrillic letters in the samples are meant.
# ruff: noqa: RUF001

from __future__ import annotations

import pytest
from babel.dates import get_month_names
from marshmallow import ValidationError

from services.common.reference import SUPPORTED_LANGUAGES
from services.translation.machine.masking import mask
from services.translation.schemas import (
    MAX_PERSONAL_VALUE,
    MAX_PERSONAL_VALUES,
    MachineTranslationRequestSchema,
)

CASES = {
    "de": (
        "Sehr geehrte Frau Dr. Erika Mustermann, geboren am 12. März 1985, wohnhaft in der "
        "Hauptstraße 5, 80331 München, hat am 03.04.2024 einen Antrag gestellt. Steuer-ID "
        "12 345 678 901, Tel. +49 89 1234567, E-Mail erika.mustermann@example.de. Frau "
        "Mustermann ist Ärztin.",
        ["Erika", "Mustermann", "12. März 1985", "Hauptstraße 5", "80331", "03.04.2024",
         "678 901", "1234567", "erika.mustermann@example.de"],
    ),
    "fr": (
        "M. Jean-Pierre Dupont, né le 5 juin 1979, demeurant au 12 rue de la Paix, 75002 "
        "Paris, numéro de passeport 18AV12345, téléphone 01 42 68 53 00. IBAN FR76 3000 6000 "
        "0112 3456 7890 189.",
        ["Jean-Pierre", "Dupont", "5 juin 1979", "rue de la Paix", "75002", "18AV12345",
         "68 53 00", "FR76", "7890 189"],
    ),
    "it": (
        "Il Sig. Mario Rossi, nato il 1° gennaio 1970 a Roma, residente in Via Giuseppe "
        "Garibaldi 23, 00184 Roma, codice fiscale RSSMRA70A01H501U, cell. 333 1234567.",
        ["Mario", "Rossi", "gennaio 1970", "Garibaldi 23", "00184", "RSSMRA70A01H501U",
         "1234567"],
    ),
    "pl": (
        "Pani Anna Kowalska, urodzona 15 lutego 1990 r., zamieszkała przy ul. "
        "Marszałkowskiej 10/12, 00-950 Warszawa, PESEL 90021512345, tel. 22 123 45 67.",
        ["Anna", "Kowalska", "15 lutego 1990", "Marszałkowskiej 10/12", "00-950",
         "90021512345", "123 45 67"],
    ),
    "el": (
        "Ο κ. Γιώργος Παπαδόπουλος, γεννηθείς στις 7 Μαΐου 1982, κάτοικος οδός Ερμού 15, "
        "ΑΔΤ ΑΒ 123456, τηλ. 210 1234567, email g.papadopoulos@example.gr.",
        ["Γιώργος", "Παπαδόπουλος", "7 Μαΐου 1982", "Ερμού 15", "123456", "1234567",
         "example.gr"],
    ),
    "en": (
        "Mr John Smith (born 4 July 1975) lives at 221B Baker Street, London. National "
        "Insurance number QQ123456C, phone +44 20 7946 0958, email john.smith@example.co.uk. "
        "Applicant: Mary O'Neill.",
        ["John", "Smith", "4 July 1975", "221B Baker Street", "QQ123456C", "7946 0958",
         "john.smith@example.co.uk", "O'Neill"],
    ),
    "es": (
        "Solicitante: María García López, DNI 12345678Z, calle Mayor 5, Madrid.",
        ["María", "García", "12345678Z", "calle Mayor 5"],
    ),
}  # fmt: skip


@pytest.mark.parametrize("language", sorted(CASES))
def test_personal_data_is_masked_and_restored(language):
    text, secrets = CASES[language]

    masked = mask(text)

    for secret in secrets:
        assert secret not in masked.text, secret
    assert "⟦" in masked.text
    assert masked.restore(masked.text) == text


def test_the_title_before_a_name_stays_for_the_engine_to_translate():
    masked = mask("Frau Erika Mustermann hat angerufen.")

    assert masked.text == "Frau ⟦P1⟧ hat angerufen."


def test_the_same_value_gets_the_same_placeholder():
    masked = mask("Write to anna@example.eu; copy anna@example.eu.")

    assert masked.text == "Write to ⟦E1⟧; copy ⟦E1⟧."


def test_a_text_without_personal_data_is_left_as_it_is():
    text = "Die Behörde erkennt Berufsqualifikationen von Ärzten und Pflegekräften an."

    assert mask(text).text == text


def test_placeholders_an_engine_spaced_out_or_moved_are_restored():
    masked = mask("Herr Max Müller kommt am 3. Mai 2024.")

    translated = "On ⟦ D1 ⟧ Mr ⟦P1⟧ is coming."

    assert masked.restore(translated) == "On 3. Mai 2024 Mr Max Müller is coming."


def test_a_value_the_engine_lost_is_appended_rather_than_dropped():
    masked = mask("Herr Max Müller kommt am 3. Mai 2024.")

    assert masked.restore("Mr ⟦P1⟧ is coming.") == "Mr Max Müller is coming. [3. Mai 2024]"


def test_a_placeholder_the_engine_invented_is_removed():
    assert mask("Guten Tag").restore("Good day ⟦P9⟧") == "Good day "


# --- the caller's own values (known_values.py) ----------------------------------------------


@pytest.mark.parametrize(
    "written",
    ["Kovács János", "János Kovács", "KOVÁCS JÁNOS", "kovacs janos", "Janos Kovacs",
     "Kovács, János"],
)  # fmt: skip
def test_a_known_name_is_masked_in_either_order_any_case_and_without_accents(written):
    masked = mask(f"A kérelmet {written} nyújtotta be.", "hu", ["Kovács János"])

    assert masked.text == "A kérelmet ⟦P1⟧ nyújtotta be."
    assert masked.values == {"⟦P1⟧": written}


@pytest.mark.parametrize(
    ("language", "text", "name", "inflected"),
    [
        ("hu", "Kovács Jánosnak írtunk.", "Kovács János", "Kovács Jánosnak"),
        ("fi", "Virtasen hakemus on valmis.", "Matti Virtanen", "Virtasen"),
        ("lt", "Jono Petraičio dokumentai.", "Jonas Petraitis", "Jono Petraičio"),
        ("pl", "Dokumenty pani Kowalskiej.", "Anna Kowalska", "Kowalskiej"),
        ("cs", "Doklady paní Novákové.", "Jana Nováková", "Novákové"),
        ("el", "Ο φάκελος του Παπαδόπουλου.", "Γεώργιος Παπαδόπουλος", "Παπαδόπουλου"),
        ("de", "Herrn Müllers Antrag.", "Thomas Müller", "Müllers"),
    ],
)  # fmt: skip
def test_a_known_name_is_masked_with_its_case_ending(language, text, name, inflected):
    masked = mask(text, language, [name])

    assert inflected in masked.values.values()
    assert masked.restore(masked.text) == text


@pytest.mark.parametrize(
    ("text", "name", "written"),
    [
        ("Ханс Шмид и Томас Мюлер подадоха заявления.", "Hans Schmid", "Ханс Шмид"),
        ("Ханс Шмид и Томас Мюлер подадоха заявления.", "Thomas Müller", "Томас Мюлер"),
        ("Ivan Petrov Ivanov applied on Monday.", "Иван Петров Иванов", "Ivan Petrov Ivanov"),
        ("Ο Χανς Σμιντ υπέβαλε αίτηση.", "Hans Schmid", "Χανς Σμιντ"),
        ("Пан Ковач Янош прийшов.", "Kovács János", "Ковач Янош"),
        ("Η Αλεξάνδρα Κόβατς ήρθε.", "Alexandra Kovács", "Αλεξάνδρα Κόβατς"),
        ("Александър Николов пристигна.", "Aleksandar Nikolov", "Александър Николов"),
    ],
)  # fmt: skip
def test_a_known_name_is_masked_when_written_in_another_script(text, name, written):
    masked = mask(text, None, [name])

    assert written in masked.values.values()


def test_a_known_code_is_masked_with_other_separators_and_look_alike_letters():
    masked = mask("ΑΔΤ ΑΚ-123456, PESEL 800 503 123 45.", "el", ["AK 123456", "80050312345"])

    assert masked.text == "ΑΔΤ ⟦N1⟧, PESEL ⟦N2⟧."


def test_the_words_of_an_address_become_one_placeholder():
    masked = mask("lakcíme: 1088 Budapest, Rákóczi út 12.", "hu", ["Rákóczi út 12, 1088 Budapest"])

    assert masked.text == "lakcíme: ⟦A1⟧."
    assert masked.values["⟦A1⟧"] == "1088 Budapest, Rákóczi út 12"


def test_a_short_name_part_alone_or_inside_another_word_is_not_masked():
    masked = mask("Li Wei lives in Liechtenstein. Ask Li.", "en", ["Li Wei"])

    assert masked.text == "⟦P1⟧ lives in Liechtenstein. Ask Li."


def test_a_name_that_is_also_a_word_is_masked_only_where_written_as_a_name():
    text = "Please mark the box in green ink. Mark Green signed it; GREEN agreed."

    masked = mask(text, "en", ["Mark Green"])

    assert masked.text == "Please mark the box in green ink. ⟦P1⟧ signed it; ⟦P2⟧ agreed."


def test_particles_of_a_name_are_not_masked_alone():
    masked = mask("De heer Pieter de Vries kwam de brief brengen.", "nl", ["Pieter de Vries"])

    assert masked.text == "De heer ⟦P1⟧ kwam de brief brengen."


def test_case_endings_are_taken_only_in_languages_that_inflect_names():
    text = "Markets opened. Marka and Markot are Hungarian forms."

    assert mask(text, "en", ["Mark Green"]).text == text
    assert "Markot" in mask("Markot láttuk.", "hu", ["Mark Green"]).values.values()


def test_a_known_date_of_birth_is_masked_as_every_date_is_and_not_word_by_word():
    masked = mask("May I ask whether 3 May 1980 is right?", "en", ["3 May 1980"])

    assert masked.text == "May I ask whether ⟦D1⟧ is right?"


# --- dates (dates.py) --------------------------------------------------------------------------


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_every_cldr_month_name_of_every_language_makes_a_date(language):
    for width in ("wide", "abbreviated"):
        for context in ("format", "stand-alone"):
            for name in get_month_names(width, context, locale=language).values():
                text = f"Am 3 {name} 1980 kam er."

                assert mask(text, language).text == "Am ⟦D1⟧ kam er.", text


@pytest.mark.parametrize(
    ("language", "date"),
    [
        ("de", "3.5.1980"), ("de", "03.05.1980"), ("sv", "1980-05-03"), ("fr", "03/05/1980"),
        ("hu", "1980. 05. 03."), ("hu", "1980.05.03-án"), ("pl", "3 V 1980"),
        ("hu", "1980. V. 3."), ("nl", "03-05-80"), ("en", "May 3rd, 1980"),
        ("en", "3rd of May 1980"), ("es", "3 de mayo de 1980"), ("mt", "3 ta' Mejju 1980"),
        ("lv", "1980. gada 3. maijā"), ("et", "3. mail 1980"), ("sl", "3. maja 1980"),
        ("hu", "május 3-án"), ("fi", "3. toukokuuta"), ("ga", "3 Meán Fómhair 1980"),
        ("bg", "3-ти май 1980 г."), ("el", "3η Μαΐου 1980"),
    ],
)  # fmt: skip
def test_dates_are_masked_in_the_usual_orders_separators_and_ordinals(language, date):
    masked = mask(f"Datum: {date} (x)", language)

    assert masked.text == "Datum: ⟦D1⟧ (x)", masked.values


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "May I ask you to send the documents by Friday?"),
        ("en", "Article 3 may apply to 12 march participants."),
        ("en", "We need 3 set of forms and 2 dec copies."),
        ("ro", "Vă rugăm să trimiteți mai multe documente."),
        ("es", "Hay 3 mayores de edad en la familia."),
        ("de", "Im Mai prüft die Behörde die Unterlagen."),
        ("fi", "Kesä on lyhyt, helmi on kaunis."),
    ],
)  # fmt: skip
def test_words_that_merely_resemble_a_month_name_are_not_masked(language, text):
    assert mask(text, language).text == text


def test_an_abbreviation_of_another_language_counts_with_a_year():
    assert mask("We ordered 3 set 1980 forms.", "en").text == "We ordered ⟦D1⟧ forms."


# --- the contract ------------------------------------------------------------------------------


def test_personal_data_is_optional_and_bounded_in_count_and_length():
    schema = MachineTranslationRequestSchema()
    request = {"text": "Guten Tag", "target": "en"}

    assert schema.load(request)["personal_data"] == []
    assert schema.load({**request, "personal_data": ["Erika Mustermann"]})["personal_data"] == [
        "Erika Mustermann"
    ]
    for bad in (["x"] * (MAX_PERSONAL_VALUES + 1), ["x" * (MAX_PERSONAL_VALUE + 1)], ["  "],
                [""], "Erika", [3]):  # fmt: skip
        with pytest.raises(ValidationError) as raised:
            schema.load({**request, "personal_data": bad})
        assert "personal_data" in raised.value.messages
