"""Many rows into one table, the cheapest way each database takes them.

An approval writes up to half a million rows (records, markers, honours, dependents,
versions) and a pool load a million cards. Through Core's executemany every row pays for
SQLAlchemy's parameter processing and, on PostgreSQL, for a statement of its own in
psycopg's pipeline: on 20,000 records that was half of an approval's time on PostgreSQL
and a fifth on SQLite. Here PostgreSQL takes the rows by `COPY ... FROM STDIN` and SQLite
by one executemany of plain tuples. Each value still goes through its column type's own
bind processor, and a column a row leaves out gets its Python-side default, so what is
stored is what Core's insert would store.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from sqlalchemy import Column, Connection, Dialect, Table
from sqlalchemy.exc import DBAPIError

Processor = Callable[[Any], Any] | None


def insert_rows(connection: Connection, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert `rows` into `table` in `connection`'s transaction. Every row names the same
    columns; a column they leave out takes its Python-side default, else the server's."""
    if not rows:
        return
    dialect = connection.dialect
    named = list(rows[0])
    filled = [
        (column.name, default)
        for column in table.c
        if column.name not in rows[0] and (default := _python_default(column)) is not None
    ]
    names = named + [name for name, _ in filled]
    # Only the columns whose type converts a value: most (text, numbers) pass as they are.
    processed = [
        (index, process)
        for index, name in enumerate(names)
        if (process := _bind_processor(table.c[name], dialect)) is not None
    ]

    def values() -> Iterator[tuple[Any, ...]]:
        # Each column's value in the row before, and what it became: a filing's rows share
        # many (its time, today, its submission, True and False), each a call to convert.
        before: list[Any] = [None] * len(names)
        became: list[Any] = [None] * len(names)
        for row in rows:
            given = [row[name] for name in named] + [default() for _, default in filled]
            for index, process in processed:
                value = given[index]
                if value is None:
                    continue
                if value is not before[index]:
                    before[index], became[index] = value, process(value)
                given[index] = became[index]
            yield tuple(given)  # what SQLAlchemy's executemany takes

    quote = dialect.identifier_preparer.quote
    column_list = ", ".join(quote(name) for name in names)
    target = dialect.identifier_preparer.format_table(table)
    if dialect.name == "postgresql":
        statement = f"COPY {target} ({column_list}) FROM STDIN"
        raw = connection.connection.driver_connection
        assert raw is not None
        try:
            with raw.cursor() as cursor, cursor.copy(statement) as copy:
                for row in values():
                    copy.write_row(row)
        except dialect.loaded_dbapi.Error as error:
            # As Core would raise it (IntegrityError for a duplicate, and so on).
            raise DBAPIError.instance(statement, None, error, dialect.loaded_dbapi.Error) from error
    else:
        marks = ", ".join("?" for _ in names)
        sql = f"INSERT INTO {target} ({column_list}) VALUES ({marks})"  # noqa: S608 - our names
        connection.exec_driver_sql(sql, list(values()))


def _python_default(column: Column[Any]) -> Callable[[], Any] | None:
    default = column.default
    if default is None or not (default.is_scalar or default.is_callable):
        return None
    arg = default.arg  # type: ignore[attr-defined]
    if default.is_scalar:
        return lambda: arg
    return lambda: arg(None)  # SQLAlchemy wraps a callable to take the execution context


def _bind_processor(column: Column[Any], dialect: Dialect) -> Processor:
    processor: Processor = column.type.dialect_impl(dialect).bind_processor(dialect)
    return processor
