"""`trajectflow db upgrade` on a live PostgreSQL database: beside open transactions, and started twice at once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool

from tests.scratch_databases import scratch_database
from trajectflow.services.schema import upgrade_schema
from trajectflow.settings import Settings
from trajectflow.store.db import make_engine, normalise_url
from trajectflow.store.migrate import current_revision, head_revision, upgrade


def test_two_upgrades_started_together_both_succeed():
    with scratch_database() as (_name, url):
        settings = Settings(database_url=url)
        with ThreadPoolExecutor(2) as pool:
            results = list(pool.map(lambda _: upgrade_schema(settings), range(2)))
        assert sorted(str(r.before) for r in results) == sorted([str(None), str(head_revision())])
        assert {r.after for r in results} == {head_revision()}


def test_additive_upgrade_runs_beside_a_reading_transaction():
    with scratch_database() as (_name, url):
        engine = make_engine(url)
        upgrade(engine, "0001")
        engine.dispose()
        settings = Settings(database_url=url)
        live = create_engine(normalise_url(url), poolclass=NullPool)
        # The old release in the middle of a request. Migrations up to 0007 only add tables and
        # indexes and pass beside it. 0008 adds columns to `cases`, which needs a brief exclusive
        # lock: it waits the 10 s lock timeout, fails without changing anything, and passes once the
        # transaction has ended (its rollout note is in docs/operations.md).
        with live.connect() as reader:
            reader.execute(text("SELECT count(*) FROM cases")).scalar()
            result = upgrade_schema(settings, "0007")
            assert (result.before, result.after) == ("0001", "0007")
            assert reader.execute(text("SELECT count(*) FROM tasks")).scalar() == 0
            with pytest.raises(OperationalError, match="lock timeout"):
                upgrade_schema(settings)
            assert current_revision(engine) == "0007"
        result = upgrade_schema(settings)
        assert (result.before, result.after) == ("0007", head_revision())
        live.dispose()
        check = make_engine(url)
        assert current_revision(check) == head_revision()
        check.dispose()
