import pytest

from assistant.config import load_settings
from assistant.errors import ConfigError


def test_defaults_are_valid() -> None:
    settings = load_settings()
    assert settings.port == 8000 and settings.embedding_model == "bundled"


def test_invalid_env_value_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSISTANT_PORT", "not-a-port")
    with pytest.raises(ConfigError) as err:
        load_settings()
    assert "ASSISTANT_PORT" in err.value.message
    assert "README" in err.value.hint


def test_missing_embedding_model_dir_is_explained(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSISTANT_EMBEDDING_MODEL", "/no/such/model")
    with pytest.raises(ConfigError) as err:
        load_settings()
    assert "ASSISTANT_EMBEDDING_MODEL" in err.value.message
    assert "downloaded" in err.value.message
