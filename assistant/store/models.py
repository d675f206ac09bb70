"""The stored records (SQLAlchemy 2). Migrations in `migrations/` create them; this module
is their single description.

Only redacted ticket text is stored in clear; the placeholder-to-value map is encrypted
(`crypto.py`). API keys are stored as argon2 hashes. Audit events are append-only and
hash-chained (`audit.py`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    role: Mapped[str] = mapped_column(String(20))  # agent, specialist, trainer, admin
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class ApiKey(Base):
    __tablename__ = "api_keys"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    prefix: Mapped[str] = mapped_column(String(16), unique=True)  # finds the row to verify
    hash: Mapped[str] = mapped_column(String(200))  # argon2id of the whole key
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class Ticket(Base):
    __tablename__ = "tickets"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    received_at: Mapped[dt.date] = mapped_column(Date)
    redacted_text: Mapped[str] = mapped_column(Text)
    pii_map: Mapped[bytes] = mapped_column(LargeBinary)  # encrypted JSON {placeholder: value}
    content_sha256: Mapped[str] = mapped_column(String(64), index=True)
    idempotency_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    source: Mapped[str] = mapped_column(String(20), default="api")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Triage(Base):
    __tablename__ = "triages"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[str] = mapped_column(ForeignKey("tickets.id"), unique=True)
    result: Mapped[dict[str, Any]] = mapped_column(JSON)  # the triage JSON contract (redacted)
    intent: Mapped[str] = mapped_column(String(80))
    intent_confidence: Mapped[float] = mapped_column(Float)
    escalate: Mapped[bool] = mapped_column(Boolean)
    severity: Mapped[str | None] = mapped_column(String(10))
    model_version: Mapped[str] = mapped_column(String(80))
    policy_version: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Case(Base):
    __tablename__ = "cases"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    ticket_id: Mapped[str] = mapped_column(ForeignKey("tickets.id"), unique=True)
    status: Mapped[str] = mapped_column(String(20), index=True)  # pending_review, approved, ...
    severity: Mapped[str | None] = mapped_column(String(10))
    severity_rank: Mapped[int] = mapped_column(Integer, default=0)
    playbook: Mapped[str] = mapped_column(String(60))
    intent: Mapped[str] = mapped_column(String(80))
    reasons: Mapped[list[Any]] = mapped_column(JSON, default=list)  # reason codes
    clocks: Mapped[list[Any]] = mapped_column(JSON, default=list)
    nearest_deadline: Mapped[dt.date | None] = mapped_column(Date, index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Draft(Base):
    __tablename__ = "drafts"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), index=True)  # pending_review, approved, ...
    version: Mapped[int] = mapped_column(Integer, default=1)  # optimistic lock: bumped on change
    current_version: Mapped[int] = mapped_column(Integer, default=1)  # DraftVersion.number
    writer: Mapped[str] = mapped_column(String(20))
    playbook: Mapped[str] = mapped_column(String(60))
    prompt_version: Mapped[str] = mapped_column(String(80))
    playbook_version: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    resolution_chunk_id: Mapped[str | None] = mapped_column(String(200))


class DraftVersion(Base):
    __tablename__ = "draft_versions"
    __table_args__ = (UniqueConstraint("draft_id", "number"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    draft_id: Mapped[str] = mapped_column(ForeignKey("drafts.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    reply: Mapped[str] = mapped_column(Text)
    citations: Mapped[list[Any]] = mapped_column(JSON, default=list)
    grounding: Mapped[dict[str, Any]] = mapped_column(JSON)
    plan: Mapped[dict[str, Any]] = mapped_column(JSON)
    missing_information: Mapped[list[Any]] = mapped_column(JSON, default=list)
    writer: Mapped[str] = mapped_column(String(20))  # composer, llm, person
    writer_note: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    override_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Review(Base):
    __tablename__ = "reviews"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    draft_id: Mapped[str] = mapped_column(ForeignKey("drafts.id"), index=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    outcome: Mapped[str] = mapped_column(String(20))  # unchanged, edited, rejected
    reason: Mapped[str | None] = mapped_column(Text)
    word_diff: Mapped[list[Any]] = mapped_column(JSON, default=list)
    edit_distance: Mapped[int] = mapped_column(Integer, default=0)
    waited_seconds: Mapped[float] = mapped_column(Float, default=0.0)
    playbook: Mapped[str] = mapped_column(String(60))
    intent: Mapped[str] = mapped_column(String(80))
    writer: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class EvalRun(Base):
    __tablename__ = "eval_runs"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    suite: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20))  # running, done, failed
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    started_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    run: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # the whole run JSON
    error: Mapped[str | None] = mapped_column(Text)


class AuditEvent(Base):
    __tablename__ = "audit_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, unique=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    event: Mapped[str] = mapped_column(String(40), index=True)
    actor_id: Mapped[int | None] = mapped_column(Integer)
    actor: Mapped[str] = mapped_column(String(100), default="system")
    case_id: Mapped[str | None] = mapped_column(String(32), index=True)
    ticket_id: Mapped[str | None] = mapped_column(String(32))
    draft_id: Mapped[str | None] = mapped_column(String(32))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """One row: the last event's sequence number and hash. Appends lock it, so two
    workers never chain onto the same event; a deleted last event is detected by it."""

    __tablename__ = "audit_head"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, default=0)
    hash: Mapped[str] = mapped_column(String(64))
