"""The database: an engine per URL, sessions, migrations, and errors a person can act on.

SQLite in the data dir by default (WAL, foreign keys on, writers serialised with BEGIN
IMMEDIATE so a read-then-write never fails half way; :func:`read_session` begins a
deferred transaction instead, so reads such as the per-request key check never wait for
the write lock), PostgreSQL through
``ASSISTANT_DATABASE_URL``. Schema changes are Alembic migrations only.
"""

from __future__ import annotations

import contextlib
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Iterator

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from assistant.errors import StoreUnavailableError

MIGRATIONS = "migrations"
READ_ONLY = "assistant_read_only"  # execution option: begin a deferred transaction


def default_url(data_dir: Path) -> str:
    return f"sqlite:///{(data_dir / 'assistant.db').resolve()}"


def redact_url(url: str) -> str:
    """The URL without its password, for messages and logs."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # a malformed URL: say so without echoing it
        return "<unparseable database URL>"


@lru_cache(maxsize=8)
def engine_for(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record):  # type: ignore[no-untyped-def]
            dbapi_conn.isolation_level = None  # SQLAlchemy emits BEGIN itself (below)
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _begin(conn):  # type: ignore[no-untyped-def]
            read_only = conn.get_execution_options().get(READ_ONLY, False)
            conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

        return engine
    try:
        return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)
    except (SQLAlchemyError, ImportError, ValueError) as exc:
        raise StoreUnavailableError(
            f"cannot use the database {redact_url(url)}: {exc}",
            "check ASSISTANT_DATABASE_URL (e.g. postgresql+psycopg://user@host/db)",
        ) from None


@lru_cache(maxsize=16)
def _sessions(url: str, read_only: bool = False) -> sessionmaker[Session]:
    engine = engine_for(url)
    if read_only:
        engine = engine.execution_options(**{READ_ONLY: True})
    return sessionmaker(engine, expire_on_commit=False)


def read_session(url: str) -> contextlib.AbstractContextManager[Session]:
    """A transaction that only reads: on SQLite it does not take the write lock."""
    return session(url, read_only=True)


@contextlib.contextmanager
def session(url: str, read_only: bool = False) -> Iterator[Session]:
    """A transaction: committed on success, rolled back on error; a database that cannot
    be reached becomes a StoreUnavailableError (503 in the API), nothing half-written."""
    s = _sessions(url, read_only)()
    try:
        yield s
        s.commit()
    except (OperationalError, DBAPIError) as exc:
        s.rollback()
        if isinstance(exc, DBAPIError) and not exc.connection_invalidated and not isinstance(
            exc, OperationalError
        ):
            raise
        raise StoreUnavailableError(
            f"the database {redact_url(url)} is unavailable ({str(exc.orig)[:200]})",
            "check that it is running and reachable (ASSISTANT_DATABASE_URL); nothing was "
            "saved, so retry the request once it is back",
        ) from None
    except BaseException:
        s.rollback()
        raise
    finally:
        s.close()


def ping(url: str) -> None:
    with session(url) as s:
        s.execute(text("SELECT 1"))


def alembic_config(url: str):  # type: ignore[no-untyped-def]
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("assistant.store") / MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    cfg.attributes["configure_logger"] = False
    return cfg


def upgrade(url: str, revision: str = "head") -> str:
    """Apply the migrations up to ``revision``; returns the revision now current."""
    from alembic import command

    try:
        command.upgrade(alembic_config(url), revision)
    except OperationalError as exc:
        raise StoreUnavailableError(
            f"cannot migrate the database {redact_url(url)} ({str(exc.orig)[:200]})",
            "check that it is running and that the user may create tables",
        ) from None
    return current(url) or ""


def current(url: str) -> str | None:
    from alembic.runtime.migration import MigrationContext

    try:
        with engine_for(url).connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    except OperationalError as exc:
        raise StoreUnavailableError(
            f"the database {redact_url(url)} is unavailable ({str(exc.orig)[:200]})",
            "check ASSISTANT_DATABASE_URL and that the server is running",
        ) from None


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head() or ""
