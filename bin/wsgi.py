"""The portal as a WSGI application, for a production server with several
worker processes (README, "Security and operations"):

    CKAN_INI=/etc/ckan/datasud.ini gunicorn --workers 4 --preload \
        --bind 127.0.0.1:5000 --pythonpath bin wsgi:application

Each worker process builds the application once, from the ini that
``CKAN_INI`` names (CKAN's own variables, such as ``CKAN_SQLALCHEMY_URL``,
override it as with ``ckan run``); the ini's ``[loggers]`` set up logging.
"""

from __future__ import annotations

import configparser
import logging.config
import os

from ckan import model
from ckan.cli import load_config
from ckan.config.middleware import make_app

INI = os.path.abspath(os.environ["CKAN_INI"])

_parser = configparser.ConfigParser(defaults={"here": os.path.dirname(INI)})
_parser.read(INI, encoding="utf-8")
if _parser.has_section("loggers"):  # a worker's ini of the tests (conftest.py) has none
    logging.config.fileConfig(_parser, disable_existing_loggers=False)

application = make_app(load_config(INI))

# Building the application reads the database. With ``--preload`` gunicorn
# builds it once and forks the workers: no worker may inherit an open
# connection (two processes on one socket), so every connection is closed
# here and each worker opens its own on its first request.
model.Session.remove()
model.ensure_engine().dispose()
