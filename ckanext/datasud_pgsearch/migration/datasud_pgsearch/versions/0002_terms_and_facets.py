"""Exact values as arrays of terms (filters), a vector of facet terms, a
small vector for the score, and a narrow row.

``terms`` holds every exact value of a document as one ``field<US>value``
string (``<US>``: the control character 0x1f; a value longer than 1,000 bytes
is kept as ``field<RS>sha256``, 0x1e), except those of the fields CKAN
filters every search on (site, state, capacity, permission labels, type),
which go to the small ``filter_terms``. Their GIN indexes answer
``field:value`` filters without rechecking the rows, which the ``doc`` jsonb
index (hashed keys) cannot do: that index is dropped. ``facets`` is a
tsvector whose lexemes are the terms of the facet fields
(``ckanext.datasud_pgsearch.facet_fields``), and ``<US>`` alone, in every
document (its count is the number of hits); ``ts_stat`` counts them. ``rank_vector`` is the title, name
(weight A), tags, groups and organization (B) part of ``text_vector``: the
score is computed on it. The row keeps inline only what a search reads for
each hit (``filter_terms``, ``facets``, ``rank_vector``, sort keys); the rest
goes to TOAST (``toast_tuple_target``).

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
FILTER_FIELDS = ["site_id", "state", "capacity", "permission_labels", "dataset_type", "entity_type"]

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
          AND (e.key = ANY(:filter_fields)) = {{filter}}
    )
"""
FACETS = f"""
    array_to_tsvector(CAST(:sep AS text) || ARRAY(
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
    op.add_column(TABLE, sa.Column("filter_terms", ARRAY(sa.Text), nullable=False, server_default="{}"))
    op.add_column(TABLE, sa.Column("facets", TSVECTOR, nullable=False, server_default=""))
    op.add_column(TABLE, sa.Column("rank_vector", TSVECTOR, nullable=False, server_default=""))
    # inline what each hit needs; every other large value out of line
    op.execute(f"ALTER TABLE {TABLE} SET (toast_tuple_target = 128)")
    for column in ("filter_terms", "facets", "rank_vector"):
        op.execute(f"ALTER TABLE {TABLE} ALTER COLUMN {column} SET STORAGE MAIN")
    op.get_bind().execute(
        sa.text(
            f"UPDATE {TABLE} SET terms = {TERMS.format(filter='FALSE')},"
            f" filter_terms = {TERMS.format(filter='TRUE')}, facets = {FACETS},"
            " rank_vector = ts_filter(text_vector, '{a,b}')"
        ),
        {"sep": SEPARATOR, "hashed": HASHED, "fields": facet_fields(), "filter_fields": FILTER_FIELDS},
    )
    op.create_index(f"{TABLE}_terms_idx", TABLE, ["terms"], postgresql_using="gin")
    op.create_index(f"{TABLE}_filter_terms_idx", TABLE, ["filter_terms"], postgresql_using="gin")
    op.drop_index(f"{TABLE}_doc_idx", table_name=TABLE)
    # the order of CKAN's default sort when there is no text to rank
    op.execute(
        f"CREATE INDEX {TABLE}_modified_page_idx ON {TABLE} (metadata_modified DESC NULLS LAST, index_id)"
    )


def downgrade():
    op.drop_index(f"{TABLE}_modified_page_idx", table_name=TABLE)
    op.create_index(
        f"{TABLE}_doc_idx", TABLE, ["doc"], postgresql_using="gin", postgresql_ops={"doc": "jsonb_path_ops"}
    )
    op.drop_index(f"{TABLE}_filter_terms_idx", table_name=TABLE)
    op.drop_index(f"{TABLE}_terms_idx", table_name=TABLE)
    for column in ("rank_vector", "facets", "filter_terms", "terms"):
        op.drop_column(TABLE, column)
    op.execute(f"ALTER TABLE {TABLE} RESET (toast_tuple_target)")
