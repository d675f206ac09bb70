"""One error hierarchy. Every error says what went wrong and how to fix it.

The CLI prints ``message`` and ``hint`` and exits with ``exit_code``; the API maps
``http_status`` and ``code`` onto its single JSON error shape.
"""

from __future__ import annotations


class AssistantError(Exception):
    """Base of every error the assistant raises on purpose."""

    code: str = "assistant_error"
    http_status: int = 500
    exit_code: int = 1

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.details: dict[str, object] | None = None

    def with_details(self, details: dict[str, object]) -> "AssistantError":
        """Attach machine-readable details (e.g. the grounding findings of a refused edit)."""
        self.details = details
        return self

    def __str__(self) -> str:
        return f"{self.message} (how to fix: {self.hint})" if self.hint else self.message

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {"code": self.code, "message": self.message, "hint": self.hint}
        if self.details:
            out["details"] = self.details
        return out


class ConfigError(AssistantError):
    """A setting is missing or invalid."""

    code = "config_error"
    exit_code = 78  # EX_CONFIG


class InputError(AssistantError):
    """A ticket, file or argument supplied by the user is unusable."""

    code = "invalid_input"
    http_status = 422
    exit_code = 65  # EX_DATAERR


class DatasetError(InputError):
    """A training or evaluation dataset is missing or malformed."""

    code = "invalid_dataset"


class ModelNotReadyError(AssistantError):
    """A trained artifact (classifier, index) is missing or unreadable."""

    code = "model_not_ready"
    http_status = 503
    exit_code = 69  # EX_UNAVAILABLE


class EmbeddingModelError(AssistantError):
    """The sentence-embedding model could not be loaded."""

    code = "embedding_model_error"
    http_status = 503
    exit_code = 69


class PolicyError(ConfigError):
    """The escalation policy file is missing or invalid."""

    code = "policy_error"


class KbSourceError(InputError):
    """A knowledge-base source file is unusable (front matter, format, content)."""

    code = "invalid_kb_source"


class IndexNotReadyError(ModelNotReadyError):
    """The knowledge-base index is missing, empty or out of step with the embedder."""

    code = "index_not_ready"


class VectorStoreError(AssistantError):
    """The vector index (embedded Chroma or a Chroma server) cannot be reached or used."""

    code = "vector_store_unavailable"
    http_status = 503
    exit_code = 69


class PromptError(ConfigError):
    """A prompt file (prompts/*.yaml) is missing, malformed or lacks a fragment."""

    code = "prompt_error"


class PlaybookError(ConfigError):
    """The resolution playbooks file is missing or invalid."""

    code = "playbook_error"


class LlmError(AssistantError):
    """The LLM endpoint failed: unreachable, refused the key, timed out or answered badly."""

    code = "llm_unavailable"
    http_status = 503
    exit_code = 69


class StoreUnavailableError(AssistantError):
    """The database cannot be reached or used."""

    code = "database_unavailable"
    http_status = 503
    exit_code = 69


class NotFoundError(AssistantError):
    """A ticket, case, draft, user or run that does not exist."""

    code = "not_found"
    http_status = 404


class ConflictError(AssistantError):
    """The resource changed since it was read (another specialist acted first)."""

    code = "conflict"
    http_status = 409


class AuthError(AssistantError):
    """No valid API key or session."""

    code = "unauthenticated"
    http_status = 401
    exit_code = 77  # EX_NOPERM


class ForbiddenError(AssistantError):
    """The key's role may not do this."""

    code = "forbidden"
    http_status = 403
    exit_code = 77


class SuiteError(InputError):
    """An evaluation suite (or a coaching document, or a baseline run) is malformed."""

    code = "invalid_suite"
    exit_code = 2  # what a CI gate expects for a bad suite (1 is a regression)
