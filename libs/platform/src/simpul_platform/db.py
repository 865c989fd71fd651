"""Async database engine and sessions for PostgreSQL (asyncpg) and SQLite (aiosqlite).

Platform tables (outbox, inbox, idempotency keys) live in ``platform_metadata``; each service
keeps its own tables in its own ``MetaData`` (and opts into ``replica.replica_metadata`` for a
posyandu replica), and a service database holds them all.
"""

from __future__ import annotations

import warnings
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from operator import itemgetter
from typing import Any

from sqlalchemy import MetaData, Table, event, insert, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError, IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.ext.asyncio import AsyncSession as SAAsyncSession
from sqlalchemy.sql.schema import ScalarElementColumnDefault
from sqlalchemy.types import TypeDecorator
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_platform import tracing
from simpul_platform.sqlite_driver import batch_connect, service_connect

platform_metadata = MetaData()
# PostgreSQL's LIMIT/OFFSET are bigints: a larger offset is a 500 from the database, so list
# endpoints bound it (``Query(ge=0, le=MAX_SQL_OFFSET)``) and answer a 422 naming the field.
MAX_SQL_OFFSET = 2**63 - 1

# Services run SQLAlchemy Core statements (bulk inserts, the outbox, aggregates) through
# SQLModel's session on purpose; its advice to use session.exec() does not apply to them.
warnings.filterwarnings(
    "ignore", message=r"(?s).*You probably want to use `session.exec", category=DeprecationWarning
)


class Database:
    """One service's database: an engine, a session factory, and what dialect it speaks."""

    def __init__(
        self, url: str, pool_size: int = 10, echo: bool = False, *, batch: bool = False
    ) -> None:
        """``batch``: a process that only waits for its own statements (a demo loader); on
        SQLite they then run on the event loop's thread (``sqlite_driver``)."""
        self.url = url
        self.dialect = make_url(url).get_backend_name()
        self.engine: AsyncEngine = _create_engine(url, self.dialect, pool_size, echo, batch)
        self.sessions = async_sessionmaker(self.engine, class_=AsyncSession, expire_on_commit=False)

    @property
    def is_postgres(self) -> bool:
        return self.dialect == "postgresql"

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A session inside one transaction: committed on success, rolled back on error."""
        with tracing.child_span("db.transaction", {"db.system.name": self.dialect}):
            async with self.sessions() as session, session.begin():
                yield session

    async def create_all(self, *metadatas: MetaData) -> None:
        """Create missing tables (quick start and tests; production runs Alembic)."""
        async with self.engine.begin() as connection:
            for metadata in (platform_metadata, *metadatas):
                await connection.run_sync(metadata.create_all)

    async def ping(self) -> None:
        async with self.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        await self.engine.dispose()


def _create_engine(url: str, dialect: str, pool_size: int, echo: bool, batch: bool) -> AsyncEngine:
    if dialect == "postgresql":
        engine = create_async_engine(url, echo=echo, pool_size=pool_size, max_overflow=pool_size)
        event.listen(engine.sync_engine, "checkout", _replace_closed)
    else:
        connect = batch_connect if batch else service_connect
        engine = create_async_engine(
            url, echo=echo, connect_args={"timeout": 30, "async_creator_fn": connect}
        )
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    return engine


def _replace_closed(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    """Replace, at checkout, a pooled connection the server has closed: after a restart, a
    failover or a terminated backend the server's goodbye reaches the socket and asyncpg
    marks the connection closed, so the pool connects afresh instead of failing the first
    transaction. ``pool_pre_ping`` did the same with three round trips on every checkout
    (BEGIN, a statement, ROLLBACK); this looks at the socket's state. A connection that died
    without a word fails its first statement, and SQLAlchemy then empties the pool."""
    if dbapi_connection.driver_connection.is_closed():
        raise DisconnectionError("the server closed this pooled connection")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets the relay read while a request writes; foreign keys are off by default in SQLite.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


async def bulk_insert(
    session: SAAsyncSession, table: Table, rows: Sequence[dict[str, Any]]
) -> None:
    """INSERT many rows in the session's transaction; on PostgreSQL (asyncpg) with COPY.

    SQLAlchemy's executemany spends most of a 1,000-row insert building each row's bind
    parameters in Python; COPY sends the rows as they are. Values go through the columns' bind
    processors (TypeDecorators such as UTCDateTime), Python-side scalar defaults are filled in,
    and a constraint violation is raised as SQLAlchemy's ``IntegrityError`` either way.
    Every row must have the same keys. Other databases get an ordinary executemany INSERT.
    """
    if not rows:
        return
    connection = await session.connection()
    dialect = connection.dialect
    if dialect.name != "postgresql" or dialect.driver != "asyncpg":
        await session.execute(insert(table), list(rows))
        return
    columns = list(rows[0])
    defaults = {
        column.name: column.default.arg
        for column in table.columns
        if column.name not in columns and isinstance(column.default, ScalarElementColumnDefault)
    }
    names = columns + list(defaults)
    fill = tuple(defaults.values())
    values_of = itemgetter(*columns)  # a tuple of a row's values, in C
    records = (
        [values_of(row) + fill for row in rows]
        if len(columns) > 1
        else [(values_of(row), *fill) for row in rows]
    )
    # asyncpg encodes plain types itself; a TypeDecorator's own conversion (UTCDateTime
    # refusing naive datetimes, say) must still run.
    decorated = [
        (i, processor)
        for i, name in enumerate(names)
        if isinstance(table.c[name].type, TypeDecorator)
        and (processor := table.c[name].type.bind_processor(dialect)) is not None
    ]
    if decorated:
        converted = []
        for record in records:
            values = list(record)
            for i, processor in decorated:
                values[i] = processor(values[i])
            converted.append(tuple(values))
        records = converted
    raw = await connection.get_raw_connection()
    adapted: Any = raw.dbapi_connection
    if getattr(adapted, "_transaction", None) is None:
        await connection.exec_driver_sql("SELECT 1")  # asyncpg's BEGIN is lazy: start it
    await _copy(raw.driver_connection, table, names, records)


async def _copy(
    driver: Any, table: Table, names: list[str], records: list[tuple[Any, ...]]
) -> None:
    import asyncpg

    statement = f"COPY {table.name} ({', '.join(names)})"
    try:
        await driver.copy_records_to_table(
            table.name, schema_name=table.schema, columns=names, records=records
        )
    except asyncpg.IntegrityConstraintViolationError as exc:
        raise IntegrityError(statement, None, exc) from exc
    except (asyncpg.PostgresConnectionError, asyncpg.InterfaceError, OSError) as exc:
        raise OperationalError(statement, None, exc) from exc


def all_metadata(*service_metadata: MetaData) -> Sequence[MetaData]:
    """The metadata a service database holds, for Alembic's target_metadata."""
    return (platform_metadata, *service_metadata)
