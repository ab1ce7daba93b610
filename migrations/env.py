"""Alembic environment for kbm-map: one migration history for SpatiaLite and PostGIS."""

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app
from geoalchemy2 import alembic_helpers

from kbm_map.db import include_object

config = context.config
if config.config_file_name and not logging.getLogger().handlers:
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_db = current_app.extensions["migrate"].db
config.set_main_option(
    "sqlalchemy.url", target_db.engine.url.render_as_string(hide_password=False).replace("%", "%%")
)


def configure(connection=None, url=None):
    """Configure the migration context with the spatial helpers of GeoAlchemy2."""
    context.configure(
        connection=connection,
        url=url,
        target_metadata=target_db.metadata,
        include_object=include_object,
        process_revision_directives=alembic_helpers.writer,
        render_item=alembic_helpers.render_item,
        render_as_batch=True,
        compare_type=True,
        literal_binds=url is not None,
    )


if context.is_offline_mode():
    configure(url=config.get_main_option("sqlalchemy.url"))
    with context.begin_transaction():
        context.run_migrations()
else:
    with target_db.engine.connect() as connection:
        configure(connection=connection)
        with context.begin_transaction():
            context.run_migrations()
