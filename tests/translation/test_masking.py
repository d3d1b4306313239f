"""Personal data is masked before an external engine and restored after it, in realistic
texts of several languages (pure: no engine, no database)."""

# Greek and Cyrillic letters in the samples are meant.
# ruff: noqa: RUF001

from __future__ import annotations

import pytest

from services.translation.machine.masking import mask

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
