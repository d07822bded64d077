"""Real faults for crash tests: a database trigger that refuses to store one DOI, so
registration fails inside the database itself (no patched code)."""

from __future__ import annotations

from contextlib import contextmanager

from django.db import connection

_NAME = "test_refuse_work_doi"


@contextmanager
def database_refuses_doi(doi: str):
    """While active, inserting the work `doi` (lower case) into the registry raises a
    database error, as a failing disk or a broken constraint would."""
    literal = doi.replace("'", "''")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"CREATE FUNCTION {_NAME}() RETURNS trigger AS $$ BEGIN "
                f"IF NEW.doi = '{literal}' THEN RAISE EXCEPTION 'refused by test trigger'; END IF; "
                "RETURN NEW; END $$ LANGUAGE plpgsql"
            )
            cursor.execute(
                f"CREATE TRIGGER {_NAME} BEFORE INSERT ON linking_work "
                f"FOR EACH ROW EXECUTE FUNCTION {_NAME}()"
            )
        else:
            cursor.execute(
                f"CREATE TRIGGER {_NAME} BEFORE INSERT ON linking_work "
                f"WHEN NEW.doi = '{literal}' BEGIN SELECT RAISE(ABORT, 'refused by test trigger'); END"
            )
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(
                f"DROP TRIGGER IF EXISTS {_NAME}"
                + (" ON linking_work" if connection.vendor == "postgresql" else "")
            )
            if connection.vendor == "postgresql":
                cursor.execute(f"DROP FUNCTION IF EXISTS {_NAME}()")
