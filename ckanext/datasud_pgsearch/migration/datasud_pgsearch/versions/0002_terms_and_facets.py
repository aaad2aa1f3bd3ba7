"""Exact values as an array of terms (filters) and a vector of facet terms.

``terms`` holds every exact value of a document as one ``field<US>value``
string (``<US>``: the control character 0x1f; a value longer than 1,000 bytes
is kept as ``field<RS>sha256``, 0x1e). Its GIN index answers ``field:value``
filters without rechecking the rows, which the ``doc`` jsonb index (hashed
keys) cannot do: that index is dropped. ``facets`` is a tsvector whose
lexemes are the terms of the facet fields
(``ckanext.datasud_pgsearch.facet_fields``); ``ts_stat`` counts them.

The upgrade fills both columns from ``doc`` for the rows already indexed:
no ``ckan search-index rebuild`` is needed (the same terms as indexing makes
them; see ``tests/pgsearch/test_migration.py``). After changing the facet
fields option, run ``ckan search-index rebuild``.

Revision ID: 0002_pgsearch_terms
Revises: 0001_pgsearch
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, TSVECTOR

revision = "0002_pgsearch_terms"
down_revision = "0001_pgsearch"
branch_labels = None
depends_on = None

TABLE = "datasud_pgsearch_document"
# As in ckanext.datasud_pgsearch.analysis, at the time of this migration.
SEPARATOR = "\x1f"
HASHED = "\x1e"
LONG_TERM_BYTES = 1000
FACET_FIELDS_OPTION = "ckanext.datasud_pgsearch.facet_fields"
DEFAULT_FACET_FIELDS = ["organization", "groups", "tags", "res_format", "license_id"]

# The terms of one document, from its exact values (``doc``).
TERMS = f"""
    ARRAY(
        SELECT DISTINCT
            CASE WHEN octet_length(e.key || :sep || v.value) <= {LONG_TERM_BYTES}
                 THEN e.key || :sep || v.value
                 ELSE e.key || :hashed || encode(sha256(convert_to(v.value, 'UTF8')), 'hex')
            END
        FROM jsonb_each(doc) AS e(key, value)
        CROSS JOIN LATERAL jsonb_array_elements_text(e.value) AS v(value)
        WHERE strpos(e.key, :sep) = 0 AND strpos(e.key, :hashed) = 0
    )
"""
FACETS = f"""
    array_to_tsvector(ARRAY(
        SELECT DISTINCT e.key || :sep || v.value
        FROM jsonb_each(doc) AS e(key, value)
        CROSS JOIN LATERAL jsonb_array_elements_text(e.value) AS v(value)
        WHERE e.key = ANY(:fields) AND strpos(e.key, :sep) = 0 AND strpos(e.key, :hashed) = 0
          AND octet_length(e.key || :sep || v.value) <= {LONG_TERM_BYTES}
    ))
"""


def facet_fields() -> list[str]:
    try:
        from ckan.plugins.toolkit import aslist, config

        configured = config.get(FACET_FIELDS_OPTION)
    except Exception:  # no CKAN config (alembic run by hand): the default
        configured = None
    return list(aslist(configured)) if configured else list(DEFAULT_FACET_FIELDS)


def upgrade():
    op.add_column(TABLE, sa.Column("terms", ARRAY(sa.Text), nullable=False, server_default="{}"))
    op.add_column(TABLE, sa.Column("facets", TSVECTOR, nullable=False, server_default=""))
    op.get_bind().execute(
        sa.text(f"UPDATE {TABLE} SET terms = {TERMS}, facets = {FACETS}"),
        {"sep": SEPARATOR, "hashed": HASHED, "fields": facet_fields()},
    )
    op.create_index(f"{TABLE}_terms_idx", TABLE, ["terms"], postgresql_using="gin")
    op.drop_index(f"{TABLE}_doc_idx", table_name=TABLE)


def downgrade():
    op.create_index(
        f"{TABLE}_doc_idx", TABLE, ["doc"], postgresql_using="gin", postgresql_ops={"doc": "jsonb_path_ops"}
    )
    op.drop_index(f"{TABLE}_terms_idx", table_name=TABLE)
    op.drop_column(TABLE, "facets")
    op.drop_column(TABLE, "terms")
