"""``assistant db``, ``assistant users``, ``assistant audit`` and ``assistant demo``: the
service's database, keys, audit chain and a queue to try it on."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from assistant.cli.output import print_json

db_app = typer.Typer(help="The database: migrations (SQLite by default, PostgreSQL by URL).",
                     no_args_is_help=True)
users_app = typer.Typer(help="Users and their API keys (one role each).", no_args_is_help=True)
audit_app = typer.Typer(help="The tamper-evident audit log.", no_args_is_help=True)
demo_app = typer.Typer(help="Sample data for a newcomer's first minutes.", no_args_is_help=True)


def _url() -> str:
    from assistant.config import get_settings

    return get_settings().resolved_database_url


@db_app.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument(help="Target revision.")] = "head") -> None:
    """Apply the migrations (idempotent: an up-to-date database is left as it is)."""
    from assistant.store.db import redact_url, upgrade

    url = _url()
    now = upgrade(url, revision)
    typer.echo(f"database {redact_url(url)} is at revision {now}")


@db_app.command("current")
def db_current() -> None:
    """The database's revision and the one this code expects."""
    from assistant.store.db import current, head_revision, redact_url

    url = _url()
    typer.echo(f"{redact_url(url)}: at {current(url) or 'no revision (empty)'}; code expects "
               f"{head_revision()}")


@users_app.command("create")
def users_create(
    name: Annotated[str, typer.Argument(help="A unique name, e.g. dana.")],
    role: Annotated[str, typer.Option("--role", help="agent, specialist, trainer or admin.")],
    json_out: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Create a user and print their API key once (it is stored only as a hash)."""
    from assistant.store import audit
    from assistant.store.db import session
    from assistant.store.keys import create_user

    user, key = create_user(_url(), name, role)
    with session(_url()) as s:
        audit.append(s, "user_created", actor="cli", payload={"name": name, "role": role})
    if json_out:
        print_json({"name": user.name, "role": user.role, "key": key})
        return
    typer.echo(f"created {user.name} ({user.role}). API key, shown once:\n\n  {key}\n")


@users_app.command("revoke")
def users_revoke(name: Annotated[str, typer.Argument(help="The user to revoke.")]) -> None:
    """Revoke a user and all their keys (effective on the next request)."""
    from assistant.store import audit
    from assistant.store.db import session
    from assistant.store.keys import revoke_user

    n = revoke_user(_url(), name)
    with session(_url()) as s:
        audit.append(s, "user_revoked", actor="cli", payload={"name": name, "keys": n})
    typer.echo(f"revoked {name} and {n} key(s)")


@users_app.command("list")
def users_list(json_out: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Users, roles and whether they are revoked (keys are never shown again)."""
    from assistant.store.keys import list_users

    users = list_users(_url())
    if json_out:
        print_json(users)
        return
    for u in users:
        typer.echo(f"{u['name']:20s} {u['role']:10s} {'revoked' if u['revoked'] else 'active'}")


@users_app.command("ensure-admin")
def users_ensure_admin(
    host: Annotated[str, typer.Option(help="Where the service will listen (for the message).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Its port.")] = 8000,
) -> None:
    """Create an admin (and print its key once) when the database has no user yet."""
    from assistant.store.keys import create_user, user_count

    if user_count(_url()):
        typer.echo("users exist: no new admin created (`assistant users list`)")
        return
    _, key = create_user(_url(), "admin", "admin")
    typer.secho("\nFirst start: an admin user was created. Its API key, shown once:\n", bold=True)
    typer.echo(f"  {key}\n")
    typer.echo(f"Review page: http://{host}:{port}/ui  (log in with the key; "
               "`assistant demo load` fills the queue)\n")


@audit_app.command("verify")
def audit_verify(json_out: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Recompute the hash chain; name the first changed, inserted or deleted event."""
    from assistant.store import audit
    from assistant.store.db import session

    with session(_url()) as s:
        verdict = audit.verify(s)
    if json_out:
        print_json(verdict.to_dict())
    elif verdict.ok:
        typer.secho(f"audit log intact: {verdict.events} events", fg="green")
    else:
        typer.secho(f"audit log broken: {verdict.problem}", fg="red", err=True)
    if not verdict.ok:
        raise typer.Exit(1)


@demo_app.command("load")
def demo_load(
    data: Annotated[Optional[Path], typer.Option("--data", help="Tickets JSON Lines "
                    "(default: evals/drafting/tickets.jsonl).")] = None,
) -> None:
    """Store the drafting set's sample tickets as cases, so the review queue has work."""
    import json

    from tqdm.auto import tqdm

    from assistant.config import PROJECT_ROOT
    from assistant.runtime import get_workflow

    path = data or PROJECT_ROOT / "evals" / "drafting" / "tickets.jsonl"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    workflow = get_workflow()
    import datetime as dt

    created = 0
    for row in tqdm(rows, desc="demo cases", unit="ticket"):
        intake = workflow.receive(row["text"], dt.date.fromisoformat(row["received_at"]), None,
                                  idempotency_key=f"demo-{row['id']}", source="demo")
        created += intake.created
    typer.echo(f"{created} new cases ({len(rows) - created} were already loaded); open /ui/queue")


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")
    app.add_typer(users_app, name="users")
    app.add_typer(audit_app, name="audit")
    app.add_typer(demo_app, name="demo")
