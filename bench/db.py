"""The benchmark database: its URL, its reset, and writing rows with COPY.

The target is always a database whose name holds "bench" (default `blether_bench` next to
DATABASE_URL's server); anything else is refused, so the dev database is never touched.
"""

import datetime as dt
import io
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB_NAME = "blether_bench"


def libpq_url(url: str) -> str:
    """django-environ's postgis:// scheme, spelled the way libpq wants it."""
    parts = urlsplit(url)
    return urlunsplit(("postgresql", *parts[1:]))


def with_db_name(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, ""))


def db_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def bench_database_url(explicit: str | None = None) -> str:
    """The benchmark database: explicit, else BENCH_DATABASE_URL, else blether_bench next to
    DATABASE_URL (the dev database itself is never the target)."""
    url = explicit or os.environ.get("BENCH_DATABASE_URL")
    if not url:
        base = os.environ.get("DATABASE_URL", "postgis://blether:blether@127.0.0.1:5432/blether")
        url = with_db_name(base, DEFAULT_DB_NAME)
    if url.startswith("postgres://") or url.startswith("postgresql://"):
        url = "postgis://" + url.split("://", 1)[1]
    if "bench" not in db_name(url):
        raise SystemExit(f"refusing to write benchmark data into {db_name(url)!r}: not a bench DB")
    return url


def _bench_name(name: str) -> str:
    if "bench" not in name:
        raise SystemExit(f"refusing to touch {name!r}: not a bench DB")
    return name


def _drop(conn: psycopg.Connection, name: str) -> None:
    conn.execute(
        sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(_bench_name(name)))
    )


def reset_database(url: str, *, log=print) -> float:
    """Drop, create and migrate the benchmark database; return the seconds it took."""
    started = time.perf_counter()
    name = db_name(url)
    admin = libpq_url(with_db_name(url, "postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        _drop(conn, name)
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    with psycopg.connect(libpq_url(url), autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")
        conn.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "1"}
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "manage.py"),
            "migrate",
            "--noinput",
            "--skip-checks",
            "-v",
            "0",
        ],
        cwd=ROOT,
        env=env,
        check=True,
    )
    took = time.perf_counter() - started
    log(f"database {name} created and migrated in {took:.1f} s")
    return took


def setup_django(url: str) -> None:
    """Django for model metadata (column lists, defaults); pointed at the bench database."""
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "api.settings")
    if not os.environ.get("SECRET_KEY"):
        os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()


# ----------------------------------------------------------------------------- COPY text


def copy_text(value) -> str:
    """One value in PostgreSQL's COPY text format."""
    if value is None:
        return r"\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return "{" + ",".join(str(v) for v in value) + "}"
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def filler_columns(model, given: list[str]) -> tuple[list[str], str]:
    """Every column the generator does not set, with its model default as COPY text.

    Fails loudly on a new required column without a default, so the generator is fixed
    rather than silently writing rows the app would not."""
    from django.utils import timezone

    columns, values = [], []
    for f in model._meta.concrete_fields:
        if f.column in given:
            continue
        if f.has_default():
            value = f.get_default()
        elif getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            value = timezone.now()
        elif f.null:
            value = None
        elif f.blank and f.get_internal_type() in ("CharField", "TextField"):
            value = ""
        else:
            raise SystemExit(f"generator: no value for required column {model.__name__}.{f.name}")
        columns.append(f.column)
        values.append(copy_text(value))
    return columns, "\t".join(values)


def copy_lines(conn, model, given: list[str], lines) -> int:
    """COPY tab-separated lines (values for `given`) into the model's table."""
    extra_cols, extra_text = filler_columns(model, given)
    cols = given + extra_cols
    suffix = ("\t" + extra_text if extra_cols else "") + "\n"
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(model._meta.db_table), sql.SQL(", ").join(map(sql.Identifier, cols))
    )
    count = 0
    buf = io.StringIO()
    with conn.cursor() as cur, cur.copy(statement) as copy:
        for line in lines:
            buf.write(line)
            buf.write(suffix)
            count += 1
            if count % 20_000 == 0:
                copy.write(buf.getvalue())
                buf = io.StringIO()
        copy.write(buf.getvalue())
    return count


def drop_plain_indexes(conn, table: str) -> list[str]:
    """Drop the indexes no constraint owns; return their definitions to rebuild after COPY.

    Building a GiST index once over a loaded table is far quicker than growing it row by row."""
    rows = conn.execute(
        "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x "
        "JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid "
        "LEFT JOIN pg_constraint c ON c.conindid = i.oid "
        "WHERE t.relname = %s AND c.oid IS NULL",
        [table],
    ).fetchall()
    for name, _definition in rows:
        conn.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(name)))
    return [definition for _name, definition in rows]


def reset_sequence(conn, table: str) -> None:
    conn.execute(
        sql.SQL(
            "SELECT setval(pg_get_serial_sequence({t}, 'id'), "
            "COALESCE((SELECT max(id) FROM {i}), 1))"
        ).format(t=sql.Literal(table), i=sql.Identifier(table))
    )


def copy_database(url: str, suffix: str) -> str:
    """A copy of the benchmark database as it is now (`CREATE DATABASE ... TEMPLATE`), kept
    beside it under the name with `suffix`; its URL. Sessions on the original are ended first:
    PostgreSQL copies only a database nobody is connected to."""
    name = db_name(url)
    copy = f"{name}{suffix}"
    admin = libpq_url(with_db_name(url, "postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        _drop(conn, copy)
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            [name],
        )
        conn.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(copy), sql.Identifier(name)
            )
        )
    return with_db_name(url, copy)


def drop_database(url: str) -> None:
    with psycopg.connect(libpq_url(with_db_name(url, "postgres")), autocommit=True) as conn:
        _drop(conn, db_name(url))
