"""The Alembic migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import inspect

from trajectflow.store.migrate import current_revision, head_revision, model_differences, upgrade
from trajectflow.store.models import Base


def test_migrated_database_matches_the_models(database):  # type: ignore[no-untyped-def]
    _url, engine = database
    assert head_revision() is not None
    assert current_revision(engine) == head_revision()
    differences = model_differences(engine)
    assert differences == [], "models and migrations disagree; generate a revision:\n" + "\n".join(
        map(str, differences)
    )


def test_every_model_table_exists_after_upgrade(database):  # type: ignore[no-untyped-def]
    _url, engine = database
    tables = set(inspect(engine).get_table_names())
    assert {table.name for table in Base.metadata.sorted_tables} <= tables
    assert "alembic_version" in tables


def test_upgrade_is_idempotent(database):  # type: ignore[no-untyped-def]
    _url, engine = database
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    assert model_differences(engine) == []


def test_fresh_database_upgrades_and_downgrades_cleanly(tmp_path):  # type: ignore[no-untyped-def]
    from alembic import command

    from trajectflow.store.db import make_engine
    from trajectflow.store.migrate import alembic_config

    engine = make_engine(f"sqlite:///{tmp_path / 'fresh.db'}")
    assert current_revision(engine) is None
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    assert model_differences(engine) == []
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    upgrade(engine)
    assert model_differences(engine) == []
    engine.dispose()
