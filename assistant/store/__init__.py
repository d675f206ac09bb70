"""Persistence: SQLAlchemy 2 models, the database, migrations, keys, the audit chain."""
