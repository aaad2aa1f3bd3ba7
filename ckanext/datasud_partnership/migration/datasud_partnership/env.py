"""Alembic environment: this plugin's tables only, in their own version table."""

import os
from logging.config import fileConfig

from alembic import context
from ckan.model.meta import metadata
from sqlalchemy import engine_from_config, pool

config = context.config
fileConfig(config.config_file_name)
PLUGIN = os.path.basename(os.path.dirname(__file__))
OPTIONS = {
    "target_metadata": metadata,
    "version_table": f"{PLUGIN}_alembic_version",
    # autogenerate must only see this plugin's tables (named after it)
    "include_object": lambda obj, name, type_, *_: type_ != "table" or name.startswith(PLUGIN),
}

if context.is_offline_mode():
    context.configure(url=config.get_main_option("sqlalchemy.url"), literal_binds=True, **OPTIONS)
    with context.begin_transaction():
        context.run_migrations()
else:
    engine = engine_from_config(
        config.get_section(config.config_ini_section), prefix="sqlalchemy.", poolclass=pool.NullPool
    )
    with engine.connect() as connection:
        context.configure(connection=connection, **OPTIONS)
        with context.begin_transaction():
            context.run_migrations()
