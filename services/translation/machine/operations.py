"""What the translation service does with machine translation: the memory first, then the
cache, then the configured engine; personal data masked before an external engine; every
answer labelled as machine translation and returned beside the original.

``MachineTranslator`` is the nameko dependency holding the process's engine and memory; the
functions below are the operations the entry points call.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from eventlet import tpool
from nameko.extensions import DependencyProvider
from sqlalchemy import delete, select, update

from services.common.actor import Actor
from services.common.db import UnitOfWork
from services.common.envelope import event_name
from services.common.errors import Conflict, ImiError, NotFound, Unavailable, ValidationFailed
from services.common.reference import SUPPORTED_LANGUAGES
from services.translation.detection import detect
from services.translation.machine.engine import Engine, unsupported_pair
from services.translation.machine.etranslation import parse_callback
from services.translation.machine.masking import Masked, mask
from services.translation.machine.memory import TranslationMemory
from services.translation.machine.settings import HOW_TO_CONFIGURE, MachineSettings, build_engine
from services.translation.models import MachineTranslation, MachineTranslationJob

log = logging.getLogger(__name__)

MEMORY = "memory"
CALLBACK_PATH = "/api/v1/machine-translation/callbacks/{job_id}?token={token}"
FINISHED_JOBS_KEPT_DAYS = 7
# A sentence ends at . ! ? followed by a space and a capital or a digit, unless the word
# before the stop is an abbreviation, a number or a single letter; lines are sentences too.
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=[\"'«„(\[]?[^\W_a-zß-ÿ])|\n+")
_NO_END = re.compile(
    r"(?:\b[^\W\d_]|\d+|\b(?:Dr|Prof|Mr|Mrs|Ms|St|Nr|No|Art|Abs|bzw|ca|Mme|Sig|Sr|Sra|ul|al|"
    r"str|Hr|Fr|tel|Tel|vgl|etc|ggf|Dott|Avv))\.$"
)


class JobStatus:
    SUBMITTING = "submitting"
    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"
    EXPIRED = "expired"


@dataclass
class Machine:
    """The process's machine translation: settings, engine (or None) and memory."""

    settings: MachineSettings
    engine: Engine | None
    memory: TranslationMemory


class MachineTranslator(DependencyProvider):
    """Builds the engine named by the configuration once per process; models load lazily."""

    def setup(self) -> None:
        settings = MachineSettings.from_config(self.container.config)
        self.machine = Machine(
            settings, build_engine(settings), TranslationMemory(settings.memory_similarity)
        )

    def get_dependency(self, worker_ctx) -> Machine:
        return self.machine


# --- translating -------------------------------------------------------------------------


def translate_text(unit: UnitOfWork, machine: Machine, actor: Actor, request: dict) -> dict:
    """The RPC ``translate_text``: a finished translation, or a pending job of an
    asynchronous engine."""
    with unit.session.no_autoflush:
        return translate(
            unit, machine, request["text"], request.get("source"), request["target"],
            requested_by=actor.user_id, personal_data=request.get("personal_data", ()),
        )  # fmt: skip


def detect_language(text: str) -> dict:
    detection = tpool.execute(detect, text)
    return {
        "language": detection.language,
        "confidence": detection.confidence,
        "reliable": detection.reliable,
    }


def translate(
    unit: UnitOfWork,
    machine: Machine,
    text: str,
    source: str | None,
    target: str,
    purpose: str = "text",
    subject: str | None = None,
    requested_by: str | None = None,
    personal_data: Sequence[str] = (),
) -> dict:
    if len(text) > machine.settings.max_text_chars:
        raise ValidationFailed.from_fields(
            {"text": [f"At most {machine.settings.max_text_chars} characters are translated."]},
            "The text is too long for machine translation; send it in parts.",
        )
    detected = source is None
    if source is None:
        source = tpool.execute(detect, text).language
    result = {
        "machine_translation": True, "original": text, "source_language": source,
        "target_language": target, "detected": detected, "status": JobStatus.DONE,
        "job_id": None,
    }  # fmt: skip
    if source == target:
        return {**result, "machine_translation": False, "engine": "none", "text": text}
    engine = machine.engine
    external = engine is not None and engine.external
    masked = mask(text, source, personal_data) if external else Masked(text)
    segments, separators = split_sentences(masked.text)
    index = machine.memory.index(unit.session, source, target)
    found = [index.lookup(masked.fill(segment)) for segment in segments]
    if all(found):
        translated = [match.text for match in found]
        return {**result, "engine": MEMORY, "text": join_sentences(translated, separators)}
    if engine is None:
        raise no_engine()
    if engine.asynchronous:
        job = submit_job(unit, machine, masked, text, source, target, detected, purpose,
                         subject, requested_by)  # fmt: skip
        return job_view(job)
    if not engine.supports(source, target):
        raise unsupported_pair(engine.name, source, target)
    missing = [segment for segment, match in zip(segments, found, strict=True) if not match]
    machine_texts = translate_cached(unit, engine, missing, source, target)
    translated = [
        match.text if match else machine_texts[segment]
        for segment, match in zip(segments, found, strict=True)
    ]
    text_out = masked.restore(join_sentences(translated, separators))
    return {**result, "engine": engine.name, "text": text_out}


def no_engine() -> Unavailable:
    return Unavailable(
        f"No machine-translation engine is configured or reachable. {HOW_TO_CONFIGURE}",
        "error.machine_translation.no_engine",
    )


def split_sentences(text: str) -> tuple[list[str], list[str]]:
    """The sentences of ``text`` and the spaces between them (to put it together again)."""
    segments, separators, start = [], [], 0
    for match in _SENTENCE_END.finditer(text):
        if _NO_END.search(text[start : match.start()]) and "\n" not in match.group():
            continue
        segments.append(text[start : match.start()])
        separators.append(match.group())
        start = match.end()
    segments.append(text[start:])
    return segments, separators


def join_sentences(segments: list[str], separators: list[str]) -> str:
    parts = [segments[0]]
    for separator, segment in zip(separators, segments[1:], strict=True):
        parts += [separator, segment]
    return "".join(parts)


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def translate_cached(
    unit: UnitOfWork, engine: Engine, texts: list[str], source: str, target: str
) -> dict[str, str]:
    """Each distinct text's translation: from the cache, the others from the engine in one
    batch (then cached)."""
    wanted = list(dict.fromkeys(texts))
    answers: dict[str, str] = {}
    for text in wanted:
        row = unit.session.get(MachineTranslation, (engine.name, source, target, text_hash(text)))
        if row is not None:
            answers[text] = row.text
    todo = [text for text in wanted if text not in answers and text.strip()]
    answers |= {text: text for text in wanted if not text.strip()}
    if todo:
        unit.release_connection()
        for text, translated in zip(todo, engine.translate(todo, source, target), strict=True):
            answers[text] = translated
            remember(unit, engine.name, source, target, text, translated)
    return answers


def remember(unit: UnitOfWork, engine: str, source: str, target: str, sent: str, got: str):
    key = (engine, source, target, text_hash(sent))
    if unit.session.get(MachineTranslation, key) is None:
        unit.session.add(
            MachineTranslation(
                engine=engine, source_language=source, target_language=target,
                text_hash=key[3], text=got, created_at=unit.now(),
            )
        )  # fmt: skip


# --- asynchronous jobs -----------------------------------------------------------------------


def submit_job(
    unit: UnitOfWork, machine: Machine, masked: Masked, original: str, source: str,
    target: str, detected: bool, purpose: str, subject: str | None, requested_by: str | None,
) -> MachineTranslationJob:  # fmt: skip
    """Store the job; it goes to the engine once the job is committed (the callback may come
    back before the engine's answer does, and must find it), so that a repeated call or
    event, which finds the job or its inbox record, never sends the text twice."""
    engine = machine.engine
    if not engine.supports(source, target):
        raise unsupported_pair(engine.name, source, target)
    if not machine.settings.callback_base_url:
        raise Unavailable(
            "The asynchronous engine needs TRANSLATION.CALLBACK_BASE_URL, the gateway's public "
            "address, to send its translations back.",
            "error.machine_translation.no_callback_url",
        )
    token = secrets.token_urlsafe(24)
    job = MachineTranslationJob(
        id=str(uuid.uuid4()), token_hash=text_hash(token), engine=engine.name,
        source_language=source, target_language=target, original=original,
        masked=masked.text, placeholders=masked.values, detected=detected, purpose=purpose,
        subject=subject, requested_by=requested_by, status=JobStatus.SUBMITTING,
        created_at=unit.now(),
    )  # fmt: skip
    unit.session.add(job)
    unit.after_commit(lambda: send_job(unit, machine, job.id, token))
    return job


def send_job(unit: UnitOfWork, machine: Machine, job_id: str, token: str) -> None:
    """Hand a committed job to the engine and note its request id; a refusal fails the job
    with the engine's reason and is raised."""
    job = unit.session.get(MachineTranslationJob, job_id)
    url = machine.settings.callback_base_url.rstrip("/") + CALLBACK_PATH.format(
        job_id=job.id, token=token
    )
    masked, source, target = job.masked, job.source_language, job.target_language
    unit.release_connection()
    try:
        request_id = machine.engine.submit(masked, source, target, url, job_id)
    except ImiError as exc:
        job = unit.session.get(MachineTranslationJob, job_id, with_for_update=True)
        if job.status == JobStatus.SUBMITTING:
            job.status, job.error, job.finished_at = JobStatus.FAILED, exc.detail, unit.now()
        if job.purpose != "title":
            raise
        log.warning("no %s title for authority %s: %s", target, job.subject, exc.detail)
        return
    # the callback may have come (and closed the job) meanwhile
    job = unit.session.get(
        MachineTranslationJob, job_id, with_for_update=True, populate_existing=True
    )
    job.request_id = request_id
    if job.status == JobStatus.SUBMITTING:
        job.status = JobStatus.PENDING


def job_view(job: MachineTranslationJob) -> dict:
    return {
        "machine_translation": True, "engine": job.engine, "original": job.original,
        "source_language": job.source_language, "target_language": job.target_language,
        "detected": job.detected, "status": job.status, "job_id": job.id, "text": job.text,
        "error": job.error,
    }  # fmt: skip


def get_job(unit: UnitOfWork, actor: Actor, job_id: str) -> dict:
    job = unit.session.get(MachineTranslationJob, job_id)
    if job is None or job.requested_by != actor.user_id:
        raise NotFound("No such machine-translation job.", "error.machine_translation.no_job")
    return job_view(job)


def receive_callback(unit: UnitOfWork, job_id: str, token: str, data: dict) -> dict:
    """An engine's answer for a job: checked against the job's secret and request id, taken
    once; anything else changes nothing."""
    job = unit.session.get(MachineTranslationJob, job_id)
    if job is None or not hmac.compare_digest(job.token_hash, text_hash(token or "")):
        raise NotFound("No such machine-translation job.", "error.machine_translation.no_job")
    answer = parse_callback(data)
    if job.status not in (JobStatus.PENDING, JobStatus.SUBMITTING):
        raise Conflict(
            f"The job is already {job.status}; a second answer changes nothing.",
            "error.machine_translation.job_closed",
        )
    if job.request_id is not None and answer.request_id != job.request_id:
        raise ValidationFailed.from_fields(
            {"request-id": ["It is not the request id of this job."]},
            "The callback answers another request.",
        )
    job.finished_at = unit.now()
    if answer.text is None:
        job.status, job.error = JobStatus.FAILED, answer.error
        return {"job_id": job.id, "status": job.status}
    masked = Masked(job.masked, dict(job.placeholders))
    job.status, job.text = JobStatus.DONE, masked.restore(answer.text)
    remember(unit, job.engine, job.source_language, job.target_language, job.masked,
             answer.text)  # fmt: skip
    if job.purpose == "title" and job.subject:
        record_titles(unit, job.subject, {job.target_language: job.text}, job.engine)
    return {"job_id": job.id, "status": job.status}


def expire_jobs(unit: UnitOfWork, machine: Machine) -> None:
    """Jobs no callback answered in time expire; finished jobs (their texts are personal
    data) and old cache rows are deleted."""
    now = unit.now()
    cutoff = now - timedelta(seconds=machine.settings.job_expiry_seconds)
    jobs = MachineTranslationJob
    unit.session.execute(
        update(jobs)
        .where(jobs.status.in_((JobStatus.PENDING, JobStatus.SUBMITTING)), jobs.created_at < cutoff)
        .values(status=JobStatus.EXPIRED, finished_at=now, error="No answer from the engine.")
    )
    unit.session.execute(
        delete(jobs).where(
            jobs.finished_at.is_not(None),
            jobs.finished_at < now - timedelta(days=FINISHED_JOBS_KEPT_DAYS),
        )
    )
    unit.session.execute(
        delete(MachineTranslation).where(
            MachineTranslation.created_at < now - timedelta(days=machine.settings.cache_days)
        )
    )


# --- informal titles of authorities ----------------------------------------------------------


def fill_titles(unit: UnitOfWork, machine: Machine, envelope: dict) -> None:
    """Translate an authority's informal title into the languages it lacks (memory first,
    then the engine, masked if external) and tell the directory."""
    data = envelope["data"]
    if event_name(envelope) == "authority_updated" and "titles" not in data.get("changed", ()):
        return
    titles: dict[str, str] = data.get("titles") or {}
    source = data.get("official_language")
    if source not in titles:
        source = "en" if "en" in titles else next(iter(titles), None)
    if source is None:
        return
    with unit.session.no_autoflush:
        translated, engine_name = _missing_titles(unit, machine, data, titles, source)
    if translated:
        record_titles(unit, data["authority_id"], translated, engine_name)


def _missing_titles(
    unit: UnitOfWork, machine: Machine, data: dict, titles: dict[str, str], source: str
) -> tuple[dict[str, str], str]:
    translated: dict[str, str] = {}
    engine_name = MEMORY
    asked = asked_already(unit, data["authority_id"], source, titles[source])
    for target in SUPPORTED_LANGUAGES:
        if target in titles or target in asked:
            continue
        try:
            result = translate(unit, machine, titles[source], source, target, "title",
                               data["authority_id"])  # fmt: skip
        except ImiError as exc:
            quiet = exc.code == "error.machine_translation.no_engine"
            log.log(logging.DEBUG if quiet else logging.WARNING, "no %s title for authority "
                    "%s: %s", target, data["authority_id"], exc.detail)  # fmt: skip
            continue
        if result["status"] == JobStatus.DONE and result["text"]:
            translated[target] = result["text"]
            if result["engine"] != MEMORY:
                engine_name = result["engine"]
    return translated, engine_name


def asked_already(unit: UnitOfWork, authority_id: str, source: str, title: str) -> set[str]:
    """The languages an asynchronous engine already has this title to translate into (or
    answered with an error): each callback changes the directory's titles, and the
    ``authority_updated`` that follows must not send the same title again."""
    jobs = MachineTranslationJob
    return set(
        unit.session.scalars(
            select(jobs.target_language).where(
                jobs.purpose == "title", jobs.subject == authority_id,
                jobs.source_language == source, jobs.original == title,
                jobs.status != JobStatus.EXPIRED,
            )
        )
    )  # fmt: skip


def record_titles(unit: UnitOfWork, authority_id: str, titles: dict, engine: str) -> None:
    unit.record_event(
        "informal_titles_translated",
        authority_id,
        {"authority_id": authority_id, "titles": titles, "status": "machine", "engine": engine},
    )
