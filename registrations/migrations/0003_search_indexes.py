"""Trigram indexes for the admin's search on PostgreSQL.

The registration changelist searches organization names and contact e-mail
addresses with ``icontains``, which PostgreSQL runs as
``UPPER(column::text) LIKE UPPER('%term%')``. A B-tree cannot answer a
leading wildcard; a GIN index with ``gin_trgm_ops`` on the same expression can,
so a search stays fast with 100,000 registrations (see ``bench/``).

Other databases (SQLite in development) have no such index type and are left
unchanged. Creating the ``pg_trgm`` extension needs a role allowed to create
trusted extensions (the database owner on PostgreSQL 13 and later).
"""

from django.db import migrations

INDEXES = [
    ("organization_name_trgm", "organizations_organization", '(UPPER("name"::text)) gin_trgm_ops'),
    ("contact_email_trgm", "contacts_contact", '(UPPER("email"::text)) gin_trgm_ops'),
]


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, expression in INDEXES:
        schema_editor.execute(f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" USING gin ({expression})')


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _, _ in INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0001_initial"),
        ("organizations", "0001_initial"),
        ("registrations", "0002_staff_groups"),
    ]

    operations = [migrations.RunPython(create_indexes, drop_indexes)]
