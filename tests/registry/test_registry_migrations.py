"""The Alembic migrations create exactly the schema of the ORM models."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from peacewatch.registry.db import ensure_schema, make_engine, schema_is_current
from peacewatch.registry.models import Base


def test_migrated_schema_matches_models(engine):
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []
    assert schema_is_current(engine)


def test_app_start_up_creates_a_missing_schema(tmp_path):
    eng = make_engine(f"sqlite:///{tmp_path / 'sub' / 'fresh.sqlite'}")
    assert not schema_is_current(eng)
    ensure_schema(eng)
    assert schema_is_current(eng)
    ensure_schema(eng)  # idempotent
    eng.dispose()
