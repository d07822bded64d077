"""The search index (see linking/search/backends.py): an FTS5 table on SQLite, a table of
weighted tsvectors with GIN indexes on PostgreSQL, and a table of token frequencies on
both. On PostgreSQL also trigram indexes for finding journals, funders and members by
part of their name (on the expression Django's `icontains` writes), when the pg_trgm
extension is there or can be created."""

from django.db import migrations, transaction

SQLITE = [
    "CREATE VIRTUAL TABLE linking_search USING fts5(t, a, c, o, f, tokenize=\"unicode61 tokenchars '_'\")",
    "CREATE VIRTUAL TABLE linking_search_vocab USING fts5vocab(linking_search, 'row')",
]
SQLITE_DROP = ["DROP TABLE IF EXISTS linking_search_vocab", "DROP TABLE IF EXISTS linking_search"]

# No foreign key to linking_work: Django's flush (tests, `manage.py flush`) truncates the
# tables it knows, and PostgreSQL refuses to truncate a table another one references.
# Search results are always joined back to linking_work, so a stale row finds nothing.
POSTGRES = [
    "CREATE TABLE linking_search (work_id bigint PRIMARY KEY, bib tsvector NOT NULL, f tsvector NOT NULL)",
    "CREATE INDEX linking_search_bib ON linking_search USING gin (bib)",
    "CREATE INDEX linking_search_f ON linking_search USING gin (f)",
]
POSTGRES_DROP = ["DROP TABLE IF EXISTS linking_search"]
TRIGRAM = [
    "CREATE INDEX IF NOT EXISTS linking_title_title_trgm ON linking_title"
    " USING gin (upper(title::text) gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS linking_funder_name_trgm ON linking_funder"
    " USING gin (upper(name::text) gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS accounts_org_name_trgm ON accounts_organisation"
    " USING gin (upper(name::text) gin_trgm_ops)",
]
TRIGRAM_DROP = [
    "DROP INDEX IF EXISTS linking_title_title_trgm",
    "DROP INDEX IF EXISTS linking_funder_name_trgm",
    "DROP INDEX IF EXISTS accounts_org_name_trgm",
]
TERMS = "CREATE TABLE linking_search_term (term varchar(80) PRIMARY KEY, docs integer NOT NULL)"


def _run(schema_editor, statements):
    for statement in statements:
        schema_editor.execute(statement)


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        _run(schema_editor, SQLITE)
    elif vendor == "postgresql":
        _run(schema_editor, POSTGRES)
        try:
            with transaction.atomic(using=schema_editor.connection.alias):
                schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
                _run(schema_editor, TRIGRAM)
        except Exception:  # no pg_trgm and no right to create it: name search still works, unindexed
            pass
    else:
        raise NotImplementedError(f"No search backend for {vendor}")
    schema_editor.execute(TERMS)


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    schema_editor.execute("DROP TABLE IF EXISTS linking_search_term")
    if vendor == "sqlite":
        _run(schema_editor, SQLITE_DROP)
    elif vendor == "postgresql":
        _run(schema_editor, TRIGRAM_DROP + POSTGRES_DROP)


class Migration(migrations.Migration):
    dependencies = [("linking", "0002_registry_additions")]

    operations = [migrations.RunPython(create, drop)]
