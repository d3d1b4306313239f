"""The TRANSLATION section of deploy/config.yaml, and the engine it names."""

from __future__ import annotations

from dataclasses import dataclass

from services.common.config import REPO_ROOT
from services.translation.machine.engine import Engine

TRANSLATION = "TRANSLATION"
ENGINES = ("none", "ctranslate2", "libretranslate", "etranslation")
HOW_TO_CONFIGURE = (
    "Set TRANSLATION.ENGINE in deploy/config.yaml (or IMI_TRANSLATION_ENGINE) to ctranslate2 "
    "with TRANSLATION.MODEL_DIR, libretranslate with TRANSLATION.LIBRETRANSLATE_URL, or "
    "etranslation with TRANSLATION.ETRANSLATION_URL; docs/machine-translation.md explains each."
)


@dataclass(frozen=True)
class MachineSettings:
    engine: str = "none"
    model_dir: str = ""
    threads: int = 1
    batch_size: int = 16
    libretranslate_url: str = ""
    libretranslate_api_key: str = ""
    etranslation_url: str = ""
    etranslation_application: str = ""
    etranslation_password: str = ""
    callback_base_url: str = ""
    timeout_seconds: float = 10.0
    max_text_chars: int = 5000
    memory_similarity: float = 0.9
    cache_days: int = 30
    job_expiry_seconds: int = 3600

    @classmethod
    def from_config(cls, config: dict) -> MachineSettings:
        section = config.get(TRANSLATION) or {}
        values = {}
        for name, field in cls.__dataclass_fields__.items():
            raw = section.get(name.upper())
            if raw is not None and raw != "":
                values[name] = type(field.default)(raw)
        settings = cls(**values)
        if settings.engine not in ENGINES:
            raise ValueError(f"TRANSLATION.ENGINE must be one of {', '.join(ENGINES)}")
        return settings


def build_engine(settings: MachineSettings) -> Engine | None:
    """The configured engine, or None when none is configured (or its settings are missing)."""
    if settings.engine == "ctranslate2" and settings.model_dir:
        from services.translation.machine.ctranslate2_engine import CTranslate2Engine

        folder = REPO_ROOT / settings.model_dir  # an absolute MODEL_DIR stays as it is
        return CTranslate2Engine(folder, settings.threads, settings.batch_size)
    if settings.engine == "libretranslate" and settings.libretranslate_url:
        from services.translation.machine.libretranslate import LibreTranslateEngine

        return LibreTranslateEngine(
            settings.libretranslate_url,
            settings.libretranslate_api_key,
            settings.timeout_seconds,
        )
    if settings.engine == "etranslation" and settings.etranslation_url:
        from services.translation.machine.etranslation import ETranslationEngine

        return ETranslationEngine(
            settings.etranslation_url,
            settings.etranslation_application,
            settings.etranslation_password,
            settings.timeout_seconds,
        )
    return None
