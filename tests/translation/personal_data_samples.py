"""Texts with a subject's personal data as a civil servant of each of the 26 supported
languages writes them: the subject's name (inflected, or in another script, in some), the date
of birth written the country's way, an identity number and an address; and the examples that
once reached the engine unmasked; and ``leaks``, the check that none of it is in what an
engine received."""

# Greek and Cyrillic letters in the samples are meant.
# ruff: noqa: RUF001

from __future__ import annotations

import re
from typing import NamedTuple

from services.translation.machine.folding import fold
from services.translation.machine.masking import PLACEHOLDER


class Case(NamedTuple):
    text: str
    personal_data: list[str]
    written: list[str]  # the subject's data as the text writes it


CASES = {
    "bg": Case(
        "Иван Петров Иванов, роден на 3 май 1980 г., с ЕГН 8005036541, живущ в гр. София, "
        "ул. „Граф Игнатиев“ № 15, кандидатства за признаване на професионална квалификация. "
        "Документите на Иван Иванов са проверени.",
        ["Иван Петров Иванов", "1980-05-03", "8005036541", "ул. Граф Игнатиев 15, София"],
        ["Иван Петров Иванов", "3 май 1980 г.", "8005036541", "Граф Игнатиев", "Иван Иванов"],
    ),
    "cs": Case(
        "Paní Jana Nováková, nar. 3. května 1980, rodné číslo 805503/1234, bytem Vinohradská "
        "12, 120 00 Praha 2, podala žádost o uznání kvalifikace. Doklady paní Novákové jsme "
        "ověřili.",
        ["Jana Nováková", "1980-05-03", "805503/1234", "Vinohradská 12, 120 00 Praha 2"],
        ["Jana Nováková", "3. května 1980", "805503/1234", "Vinohradská 12", "Novákové"],
    ),
    "da": Case(
        "Lars Jensen, født den 3. maj 1980, CPR-nr. 030580-1234, bopæl Nørregade 10, 1165 "
        "København K, har søgt om anerkendelse. Vi har modtaget Lars Jensens eksamensbevis.",
        ["Lars Jensen", "1980-05-03", "030580-1234", "Nørregade 10, 1165 København K"],
        ["Lars Jensen", "3. maj 1980", "030580-1234", "Nørregade 10", "Jensens"],
    ),
    "de": Case(
        "Herr Thomas Müller, geboren am 3. Mai 1980 in Graz, Personalausweisnummer L01X00T47, "
        "wohnhaft Goethestraße 7, 10115 Berlin, hat die Anerkennung beantragt. Die Unterlagen "
        "von Herrn Mueller liegen vollständig vor.",
        ["Thomas Müller", "03.05.1980", "L01X00T47", "Goethestraße 7, 10115 Berlin"],
        ["Thomas Müller", "3. Mai 1980", "L01X00T47", "Goethestraße 7", "Mueller"],
    ),
    "el": Case(  # the register writes the subject in Latin letters, the letter in Greek
        "Ο κ. Γεώργιος Παπαδόπουλος, γεννηθείς στις 3 Μαΐου 1980, με ΑΔΤ ΑΚ 123456, κάτοικος "
        "Ερμού 25, 10563 Αθήνα, υπέβαλε αίτηση αναγνώρισης. Ο φάκελος του κ. Παπαδόπουλου "
        "είναι πλήρης.",
        ["Georgios Papadopoulos", "1980-05-03", "AK 123456", "Ermou 25, 10563 Athina"],
        ["Γεώργιος Παπαδόπουλος", "3 Μαΐου 1980", "ΑΚ 123456", "Ερμού 25", "Παπαδόπουλου"],
    ),
    "en": Case(
        "Mr John Smith, born on 3rd May 1980, passport number 123456789, resident at 221B "
        "Baker Street, London NW1 6XE, has applied for registration. We have checked Mr "
        "Smith's qualifications.",
        ["John Smith", "1980-05-03", "123456789", "221B Baker Street, London NW1 6XE"],
        ["John Smith", "3rd May 1980", "123456789", "221B Baker Street", "Smith"],
    ),
    "es": Case(
        "Doña María García López, nacida el 3 de mayo de 1980, con DNI 12345678Z, domiciliada "
        "en Calle Mayor 5, 28013 Madrid, ha presentado la solicitud. El expediente de la Sra. "
        "GARCÍA LÓPEZ está completo.",
        ["María García López", "1980-05-03", "12345678Z", "Calle Mayor 5, 28013 Madrid"],
        ["María García López", "3 de mayo de 1980", "12345678Z", "Calle Mayor 5", "GARCÍA"],
    ),
    "et": Case(
        "Mari Tamm, sündinud 3. mail 1980, isikukood 48005030123, elukoht Narva mnt 5, 10117 "
        "Tallinn, esitas kutsekvalifikatsiooni tunnustamise taotluse. Mari Tamme dokumendid on "
        "kontrollitud.",
        ["Mari Tamm", "1980-05-03", "48005030123", "Narva mnt 5, 10117 Tallinn"],
        ["Mari Tamm", "3. mail 1980", "48005030123", "Narva mnt 5", "Tamme"],
    ),
    "fi": Case(
        "Matti Virtanen (syntynyt 3. toukokuuta 1980, henkilötunnus 030580-123A), osoite "
        "Mannerheimintie 12 B 5, 00100 Helsinki, on hakenut ammattipätevyyden tunnustamista. "
        "Virtasen hakemus on käsitelty.",
        ["Matti Virtanen", "1980-05-03", "030580-123A", "Mannerheimintie 12 B 5, 00100 Helsinki"],
        ["Matti Virtanen", "3. toukokuuta 1980", "030580-123A", "Mannerheimintie", "Virtasen"],
    ),
    "fr": Case(
        "Mme Sophie Martin, née le 3 mai 1980 à Lyon, numéro de sécurité sociale 2 80 05 69 "
        "123 456 78, domiciliée 12 rue de la République, 69002 Lyon, a déposé une demande. Le "
        "dossier de Mme Martin est complet.",
        ["Sophie Martin", "1980-05-03", "2 80 05 69 123 456 78",
         "12 rue de la République, 69002 Lyon"],
        ["Sophie Martin", "3 mai 1980", "2 80 05 69 123 456 78", "République", "Martin"],
    ),
    "ga": Case(
        "Rugadh Seán Ó Murchú ar an 3 Bealtaine 1980; uimhir PSP 1234567TA; seoladh 12 Sráid "
        "Grafton, Baile Átha Cliath 2, D02 Y754. Tá iarratas Sheáin seiceáilte againn.",
        ["Seán Ó Murchú", "1980-05-03", "1234567TA", "12 Sráid Grafton, Baile Átha Cliath 2"],
        ["Seán Ó Murchú", "3 Bealtaine 1980", "1234567TA", "Sráid Grafton"],
    ),
    "hr": Case(
        "Ivan Horvat, rođen 3. svibnja 1980., OIB 12345678901, s prebivalištem u Ilici 10, "
        "10000 Zagreb, podnio je zahtjev za priznavanje kvalifikacija. Dokumentacija Ivana "
        "Horvata je potpuna.",
        ["Ivan Horvat", "1980-05-03", "12345678901", "Ilica 10, 10000 Zagreb"],
        ["Ivan Horvat", "3. svibnja 1980", "12345678901", "Ilici 10", "Ivana Horvata"],
    ),
    "hu": Case(
        "Kovács János (született 1980. május 3-án Debrecenben), személyi igazolvány száma "
        "123456AB, lakcíme 1088 Budapest, Rákóczi út 12., kérelmet nyújtott be. Kovács "
        "Jánosnak a hiányzó igazolást pótolnia kell.",
        ["Kovács János", "1980-05-03", "123456AB", "1088 Budapest, Rákóczi út 12."],
        ["Kovács János", "1980. május 3-án", "123456AB", "Rákóczi út 12", "Jánosnak"],
    ),
    "is": Case(
        "Jón Jónsson, fæddur 3. maí 1980, kennitala 030580-2389, til heimilis að Laugavegi 10, "
        "101 Reykjavík, hefur sótt um viðurkenningu. Gögn Jóns Jónssonar eru fullnægjandi.",
        ["Jón Jónsson", "1980-05-03", "030580-2389", "Laugavegur 10, 101 Reykjavík"],
        ["Jón Jónsson", "3. maí 1980", "030580-2389", "Laugavegi 10", "Jóns Jónssonar"],
    ),
    "it": Case(
        "Il Sig. Marco Bianchi, nato il 3 maggio 1980 a Torino, codice fiscale "
        "BNCMRC80E03L219K, residente in Via Roma 15, 10121 Torino, ha presentato domanda. La "
        "documentazione del sig. Bianchi è completa.",
        ["Marco Bianchi", "1980-05-03", "BNCMRC80E03L219K", "Via Roma 15, 10121 Torino"],
        ["Marco Bianchi", "3 maggio 1980", "BNCMRC80E03L219K", "Via Roma 15", "Bianchi"],
    ),
    "lt": Case(
        "Jonas Petraitis, gimęs 1980 m. gegužės 3 d., asmens kodas 38005031234, gyvenantis "
        "Gedimino pr. 5, LT-01103 Vilnius, pateikė prašymą. Jono Petraičio dokumentai "
        "patikrinti.",
        ["Jonas Petraitis", "1980-05-03", "38005031234", "Gedimino pr. 5, LT-01103 Vilnius"],
        ["Jonas Petraitis", "1980 m. gegužės 3 d.", "38005031234", "Gedimino pr. 5",
         "Jono Petraičio"],
    ),
    "lv": Case(
        "Jānis Bērziņš, dzimis 1980. gada 3. maijā, personas kods 030580-12345, dzīvo Brīvības "
        "ielā 10, Rīgā, LV-1010, iesniedza pieteikumu. Jāņa Bērziņa dokumenti ir pārbaudīti.",
        ["Jānis Bērziņš", "1980-05-03", "030580-12345", "Brīvības iela 10, Rīga, LV-1010"],
        ["Jānis Bērziņš", "1980. gada 3. maijā", "030580-12345", "Brīvības ielā 10",
         "Jāņa Bērziņa"],
    ),
    "mt": Case(
        "Is-Sur Joseph Borg, imwieled fit-3 ta' Mejju 1980, numru tal-karta tal-identità "
        "123456M, residenti fi 12, Triq il-Kbira, Ħal Qormi QRM 1234, ippreżenta applikazzjoni. "
        "Id-dokumenti ta' Joseph Borg huma kompluti.",
        ["Joseph Borg", "1980-05-03", "123456M", "12, Triq il-Kbira, Ħal Qormi QRM 1234"],
        ["Joseph Borg", "3 ta' Mejju 1980", "123456M", "Triq il-Kbira", "QRM 1234"],
    ),
    "nl": Case(
        "De heer Pieter de Vries, geboren op 3 mei 1980 te Utrecht, BSN 123456782, woonachtig "
        "Keizersgracht 100, 1015 AA Amsterdam, heeft een aanvraag ingediend. Het dossier van "
        "de heer De Vries is compleet.",
        ["Pieter de Vries", "1980-05-03", "123456782", "Keizersgracht 100, 1015 AA Amsterdam"],
        ["Pieter de Vries", "3 mei 1980", "123456782", "Keizersgracht 100", "De Vries"],
    ),
    "no": Case(
        "Ola Nordmann, født 3. mai 1980, fødselsnummer 03058012345, bosatt i Storgata 5, 0155 "
        "Oslo, har søkt om godkjenning. Vi har mottatt Ola Nordmanns vitnemål.",
        ["Ola Nordmann", "1980-05-03", "03058012345", "Storgata 5, 0155 Oslo"],
        ["Ola Nordmann", "3. mai 1980", "03058012345", "Storgata 5", "Nordmanns"],
    ),
    "pl": Case(
        "Pani Anna Kowalska, urodzona 3 maja 1980 r. w Krakowie, PESEL 80050312345, "
        "zamieszkała przy ul. Długiej 5, 31-147 Kraków, złożyła wniosek. Dokumenty pani "
        "Kowalskiej są kompletne.",
        ["Anna Kowalska", "1980-05-03", "80050312345", "ul. Długa 5, 31-147 Kraków"],
        ["Anna Kowalska", "3 maja 1980 r.", "80050312345", "Długiej 5", "Kowalskiej"],
    ),
    "pt": Case(
        "O Sr. João Silva, nascido em 3 de maio de 1980, portador do cartão de cidadão n.º "
        "12345678 9 ZZ1, residente na Rua Augusta 50, 1100-053 Lisboa, apresentou o pedido. O "
        "processo do Sr. Silva está completo.",
        ["João Silva", "1980-05-03", "12345678 9 ZZ1", "Rua Augusta 50, 1100-053 Lisboa"],
        ["João Silva", "3 de maio de 1980", "12345678 9 ZZ1", "Rua Augusta 50", "Silva"],
    ),
    "ro": Case(
        "Domnul Andrei Popescu, născut la 3 mai 1980 în Cluj-Napoca, CNP 1800503123456, "
        "domiciliat în Str. Mihai Eminescu nr. 10, 010011 București, a depus cererea. Dosarul "
        "domnului Popescu este complet.",
        ["Andrei Popescu", "1980-05-03", "1800503123456",
         "Str. Mihai Eminescu nr. 10, 010011 București"],
        ["Andrei Popescu", "3 mai 1980", "1800503123456", "Mihai Eminescu", "Popescu"],
    ),
    "sk": Case(
        "Pán Peter Horváth, nar. 3. mája 1980, rodné číslo 800503/1234, bytom Obchodná 5, "
        "811 06 Bratislava, podal žiadosť o uznanie kvalifikácie. Doklady pána Horvátha sú "
        "úplné.",
        ["Peter Horváth", "1980-05-03", "800503/1234", "Obchodná 5, 811 06 Bratislava"],
        ["Peter Horváth", "3. mája 1980", "800503/1234", "Obchodná 5", "Horvátha"],
    ),
    "sl": Case(
        "Gospod Janez Novak, rojen 3. maja 1980, EMŠO 0305980500123, stanujoč na Slovenski "
        "cesti 10, 1000 Ljubljana, je vložil vlogo. Dokumentacija Janeza Novaka je popolna.",
        ["Janez Novak", "1980-05-03", "0305980500123", "Slovenska cesta 10, 1000 Ljubljana"],
        ["Janez Novak", "3. maja 1980", "0305980500123", "Slovenski cesti 10", "Janeza Novaka"],
    ),
    "sv": Case(
        "Anna Andersson, född den 3 maj 1980, personnummer 19800503-1234, bosatt på "
        "Drottninggatan 10, 111 51 Stockholm, har ansökt om erkännande. Vi har tagit emot Anna "
        "Anderssons examensbevis.",
        ["Anna Andersson", "1980-05-03", "19800503-1234", "Drottninggatan 10, 111 51 Stockholm"],
        ["Anna Andersson", "3 maj 1980", "19800503-1234", "Drottninggatan 10", "Anderssons"],
    ),
}  # fmt: skip

# The examples that reached the engine unmasked before, as a new user typed them.
REPORTED = {
    "hu": ("Kovács János (született 1980. május 3-án…)", ["Kovács János", "1980-05-03"],
           ["Kovács János", "1980. május 3-án"]),
    "bg": ("Иван Петров Иванов, роден на 3 май 1980 г.", ["Иван Петров Иванов", "1980-05-03"],
           ["Иван Петров Иванов", "3 май 1980 г."]),
    "fi": ("Matti Virtanen (syntynyt 3. toukokuuta 1980…)", ["Matti Virtanen", "1980-05-03"],
           ["Matti Virtanen", "3. toukokuuta 1980"]),
    "lt": ("Jonas Petraitis, gimęs 1980 m. gegužės 3 d.…", ["Jonas Petraitis", "1980-05-03"],
           ["Jonas Petraitis", "1980 m. gegužės 3 d."]),
}  # fmt: skip


def leaks(received: str, *values: str) -> list[str]:
    """The parts of ``values`` visible in ``received``: words of three letters or more
    (ignoring case and accents), numbers of three digits or more, codes without separators."""
    visible = fold(PLACEHOLDER.sub(" ", received))
    words = set(re.findall(r"\w+", visible))
    letters_and_digits = re.sub(r"\W", "", visible)
    found = []
    for value in values:
        found += [word for word in re.findall(r"\w+", fold(value)) if len(word) >= 3
                  and word in words]  # fmt: skip
        code = re.sub(r"\W", "", fold(value))
        if any(char.isdigit() for char in code) and len(code) >= 5 and code in letters_and_digits:
            found.append(value)
    return found
