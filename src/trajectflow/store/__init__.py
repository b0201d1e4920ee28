"""Persistence: SQLAlchemy models, unit of work, migrations."""
