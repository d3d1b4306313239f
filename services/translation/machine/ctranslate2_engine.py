"""The local neural engine: CTranslate2 models in a folder, one sub-folder per language pair.

Layout (docs/machine-translation.md says where to get the models)::

    MODEL_DIR/de-en/model.bin, source.spm, target.spm      an OPUS-MT conversion
    MODEL_DIR/en-fr/model/model.bin, sentencepiece.model    an unpacked Argos Translate package

A pair without its own model goes through English (de→fr as de→en then en→fr). Models are
loaded on first use, and both loading and translating run in a real thread (eventlet.tpool):
CTranslate2 releases the GIL, so the service keeps answering while a batch is translated.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from eventlet import tpool
from eventlet.semaphore import Semaphore

from services.translation.machine.engine import ENGLISH, Engine, engine_failed, unsupported_pair

log = logging.getLogger(__name__)

SHARED_SPM = "sentencepiece.model"
MAX_DECODING_LENGTH = 512


@dataclass
class _Model:
    translator: object
    source: object
    target: object


class CTranslate2Engine(Engine):
    name = "ctranslate2"
    external = False

    def __init__(
        self, model_dir: str | Path, threads: int = 1, batch_size: int = 16, beam_size: int = 2
    ):
        self.model_dir = Path(model_dir)
        self.threads = threads
        self.batch_size = batch_size
        self.beam_size = beam_size
        self._models: dict[tuple[str, str], _Model] = {}
        self._loading = Semaphore()

    def direct_pairs(self) -> set[tuple[str, str]]:
        """The pairs with a model of their own in the folder."""
        if not self.model_dir.is_dir():
            return set()
        pairs = set()
        for folder in self.model_dir.iterdir():
            source, _, target = folder.name.partition("-")
            if source and target and _model_folder(folder) is not None:
                pairs.add((source, target))
        return pairs

    def pairs(self) -> set[tuple[str, str]]:
        direct = self.direct_pairs()
        into = {source for source, target in direct if target == ENGLISH}
        out_of = {target for source, target in direct if source == ENGLISH}
        return direct | {
            (source, target) for source in into for target in out_of if source != target
        }

    def route(self, source: str, target: str) -> list[tuple[str, str]]:
        """The models a translation goes through: the direct pair, or two through English."""
        direct = self.direct_pairs()
        if (source, target) in direct:
            return [(source, target)]
        if (source, ENGLISH) in direct and (ENGLISH, target) in direct:
            return [(source, ENGLISH), (ENGLISH, target)]
        raise unsupported_pair(self.name, source, target)

    def translate(self, texts: list[str], source: str, target: str) -> list[str]:
        for pair in self.route(source, target):
            model = self._model(pair)
            try:
                texts = tpool.execute(self._run, model, texts)
            except (RuntimeError, ValueError) as exc:
                raise engine_failed(self.name, f"{pair[0]}-{pair[1]}: {exc}") from None
        return texts

    def loaded(self) -> set[tuple[str, str]]:
        return set(self._models)

    def _model(self, pair: tuple[str, str]) -> _Model:
        with self._loading:
            model = self._models.get(pair)
            if model is None:
                folder = self.model_dir / f"{pair[0]}-{pair[1]}"
                try:
                    model = tpool.execute(_load, folder, self.threads)
                except (OSError, RuntimeError, ValueError) as exc:
                    raise engine_failed(self.name, f"cannot load {folder}: {exc}") from None
                log.info("loaded the %s-%s translation model from %s", *pair, folder)
                self._models[pair] = model
        return model

    def _run(self, model: _Model, texts: list[str]) -> list[str]:
        tokens = model.source.encode(texts, out_type=str)
        results = model.translator.translate_batch(
            tokens,
            max_batch_size=self.batch_size,
            beam_size=self.beam_size,
            max_decoding_length=MAX_DECODING_LENGTH,
        )
        return [model.target.decode(result.hypotheses[0]) for result in results]


def _model_folder(folder: Path) -> Path | None:
    for candidate in (folder, folder / "model"):
        if (candidate / "model.bin").is_file():
            return candidate
    return None


def _load(folder: Path, threads: int) -> _Model:
    import ctranslate2
    import sentencepiece

    shared = folder / SHARED_SPM
    source = shared if shared.is_file() else folder / "source.spm"
    target = shared if shared.is_file() else folder / "target.spm"
    return _Model(
        translator=ctranslate2.Translator(
            str(_model_folder(folder)), device="cpu", inter_threads=1, intra_threads=threads
        ),
        source=sentencepiece.SentencePieceProcessor(model_file=str(source)),
        target=sentencepiece.SentencePieceProcessor(model_file=str(target)),
    )
