"""The composition root: build the application, the read-model engine and the projections.

The CLI, the jobs and the tests all open the ledger through here, so they run
the same wiring against whatever ``LEDGER_DATABASE_URL`` names.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, insert, inspect, select

from ledger.adapters import encryption_marker
from ledger.adapters.application import Ledger
from ledger.adapters.county_list import County, CountyListError, county_key
from ledger.adapters.db_errors import UNREACHABLE, DatabaseUnavailableError
from ledger.adapters.sealing import CipherKeyError, Sealer
from ledger.adapters.settings import Settings, load_settings
from ledger.adapters.snapshot_read import SNAPSHOT_READ
from ledger.domain.calendar import Month
from ledger.domain.safe_text import safe_url
from ledger.services.runtime import Runtime
from projections import schema
from projections.province import county_figures, province_report
from projections.read_model import ReadModel
from projections.sqlite_bulk import install as bulk_writing_install

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def make_engine(settings: Settings) -> Engine:
    engine = _make_engine(settings)
    # Personal-data columns (projections.schema.SealedText) find the key here.
    engine.dialect.ledger_sealer = Sealer(settings.cipher_key)  # type: ignore[attr-defined]
    return engine


def _make_engine(settings: Settings) -> Engine:
    if settings.backend == "sqlite":
        engine = create_engine(settings.sqlalchemy_url, connect_args={"timeout": 60})

        @event.listens_for(engine, "connect")
        def _connect(dbapi_connection: Any, _: Any) -> None:
            # Let SQLAlchemy, not the driver, decide when transactions begin.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _begin(conn: Any) -> None:
            # IMMEDIATE: take the write lock up front so two writers queue instead of failing.
            # A long read that writes nothing (a bank file streamed from the read model)
            # asks for SNAPSHOT_READ: a deferred transaction, a WAL snapshot that never
            # makes writers wait.
            read_only = conn.get_execution_options().get(SNAPSHOT_READ)
            conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

        bulk_writing_install(engine)  # before any thread takes a connection (sqlite_bulk)
        return engine
    engine = create_engine(settings.sqlalchemy_url, pool_pre_ping=True)

    @event.listens_for(engine, "connect")
    def _connect_pg(dbapi_connection: Any, _: Any) -> None:
        # The read model commits without waiting for its WAL to reach the disk. It is
        # derived: its rows and its tracking position commit together, so a server crash
        # that loses the last commits loses both, and the next catch-up applies those
        # events again (exactly once, as ever). The event store's own connections (the
        # library's) keep PostgreSQL's default, so nothing recorded is ever lost. The one
        # fact not derived from events, the encryption marker, asks for a synchronous
        # commit itself (``encryption_marker``).
        # No JIT either: the read model asks many short queries (a page of 2,000 payment ids,
        # a part of cases), and at a million rows the planner's estimates cross JIT's cost
        # threshold, so each paid ~11 ms compiling for ~15 ms of work. A 1M-line bank CSV
        # export: 59–62 s with JIT, 50.5 s without.
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit = off")
            cursor.execute("SET jit = off")
        dbapi_connection.commit()

    return engine


def alembic_config(settings: Settings) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", settings.sqlalchemy_url.replace("%", "%%"))
    return config


def migrate(settings: Settings, engine: Engine) -> None:
    """Create or upgrade the read-model tables; safe to run any number of times."""
    config = alembic_config(settings)
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
    with engine.begin() as conn:
        if conn.execute(select(schema.tracking.c.name).where(
                schema.tracking.c.name == ReadModel.NAME)).first() is None:
            conn.execute(insert(schema.tracking).values(name=ReadModel.NAME, position=0))


def create_schema(settings: Settings, engine: Engine) -> None:
    """A county's own PostgreSQL schema (``?schema=NAME``), made before anything goes in it."""
    if settings.schema:
        with engine.begin() as conn:
            conn.exec_driver_sql(f'CREATE SCHEMA IF NOT EXISTS "{settings.schema}"')


class NotInitialisedError(RuntimeError):
    """Raised when the database has no ledger tables yet (run `ledger init`)."""


def open_runtime(url: str | None = None, *, init: bool = False,
                 cipher_key: str | None = None) -> Runtime:
    """Open the ledger named by ``url`` (default LEDGER_DATABASE_URL); ``init`` creates it."""
    settings = load_settings(url, cipher_key)
    try:
        return _open(settings, init)
    except UNREACHABLE as e:
        raise DatabaseUnavailableError(settings.url, e) from None


def _open(settings: Settings, init: bool) -> Runtime:
    if settings.backend == "sqlite" and not init:
        path = Path(settings.sqlalchemy_url[len("sqlite:///"):])
        if not path.exists():  # do not leave an empty database file behind a failed command
            raise NotInitialisedError(
                f"no ledger in {safe_url(settings.url)}: run `ledger init` first")
    engine = make_engine(settings)
    if init:
        create_schema(settings, engine)
        migrate(settings, engine)
        encryption_marker.create_table(engine)
    elif not inspect(engine).has_table("rm_tracking"):
        engine.dispose()
        raise NotInitialisedError(
            f"no ledger in {safe_url(settings.url)}: run `ledger init` first"
        )
    # Only `ledger init` creates the event store's tables and functions: two processes
    # re-creating them at the same instant fail on PostgreSQL ("tuple concurrently updated").
    app = Ledger(env=settings.event_store_env | {"CREATE_TABLE": "true" if init else "false"})
    try:
        encryption_marker.check_encryption(app, engine, settings.cipher_key, init)
        check_key(app)
    except CipherKeyError:
        app.close()
        engine.dispose()
        raise
    return Runtime(settings, app, engine, ReadModel(app, engine))


@contextmanager
def read_only_engine(url: str, cipher_key: str | None = None) -> Iterator[Engine]:
    """A county's read model, for reading only (the province report).

    No event store, no migration, no catch-up: the engine cannot write (SQLite
    ``query_only``; PostgreSQL read-only transactions), so reading a county can never
    change it. Refused when ``url`` holds no ledger.
    """
    settings = load_settings(url, cipher_key)
    if settings.backend == "sqlite":
        path = Path(settings.sqlalchemy_url[len("sqlite:///"):])
        if not path.is_file():
            raise NotInitialisedError(f"no ledger in {safe_url(settings.url)}")
        engine = create_engine(settings.sqlalchemy_url, connect_args={"timeout": 60})

        @event.listens_for(engine, "connect")
        def _connect(dbapi_connection: Any, _: Any) -> None:
            dbapi_connection.isolation_level = None
            dbapi_connection.execute("PRAGMA query_only = ON")

        @event.listens_for(engine, "begin")
        def _begin(conn: Any) -> None:
            conn.exec_driver_sql("BEGIN")  # deferred: a snapshot that never takes the write lock
    else:
        engine = create_engine(settings.sqlalchemy_url).execution_options(
            postgresql_readonly=True)
    engine.dialect.ledger_sealer = Sealer(settings.cipher_key)  # type: ignore[attr-defined]
    try:
        try:
            initialised = inspect(engine).has_table("rm_tracking")
        except UNREACHABLE as e:
            raise DatabaseUnavailableError(settings.url, e) from None
        if not initialised:
            raise NotInitialisedError(f"no ledger in {safe_url(settings.url)}")
        yield engine
    finally:
        engine.dispose()


def province_figures(counties: list[County], month: Month) -> dict[str, Any]:
    """The province report of ``month`` (``projections.province``): each county read through
    a read-only engine with its own key, as projected (never caught up). A wrong or missing
    key is :class:`CountyListError` naming the county and the variable it came from."""
    figures = []
    for county in counties:
        try:
            with read_only_engine(county.url, county_key(county)) as engine, \
                    engine.connect() as conn:
                figures.append((county.name, county_figures(conn, month)))
        except CipherKeyError as e:
            source = county.key_env or "LEDGER_CIPHER_KEY"
            raise CountyListError(f"county {county.name}: "
                                  + str(e).replace("LEDGER_CIPHER_KEY", source)) from None
    return province_report(month, figures)


def check_key(app: Ledger) -> None:
    """Fail clearly, before any work, when the key is missing or wrong for this store."""
    first = app.recorder.select_notifications(None, 1)
    if not first:
        return
    try:
        app.mapper.to_domain_event(first[0])
    except Exception as e:  # noqa: BLE001 - whatever the cipher or JSON says, the cause is the key
        if app.env.get("CIPHER_KEY"):
            raise CipherKeyError(
                "LEDGER_CIPHER_KEY is not the key this ledger was encrypted with") from e
        raise CipherKeyError(
            "this ledger's events are encrypted: set LEDGER_CIPHER_KEY to its key") from e
