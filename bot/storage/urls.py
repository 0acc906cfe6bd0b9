"""Accept the database URLs people paste and pick the async driver for them."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit


class DatabaseUrlError(ValueError):
    pass


_POSTGRES = ("postgres", "postgresql", "postgresql+asyncpg", "postgresql+psycopg", "postgresql+psycopg2")
_SQLITE = ("sqlite", "sqlite+aiosqlite", "sqlite+pysqlite")


def default_sqlite_url(data_dir: Path) -> str:
    return f"sqlite+aiosqlite:///{(data_dir / 'boundary-bot.db').as_posix()}"


def normalize_database_url(raw: str, data_dir: Path) -> str:
    """`sqlite:///x`, `postgres://…`, `postgresql://…` -> the same database through an async driver."""
    url = raw.strip()
    if not url:
        return default_sqlite_url(data_dir)
    scheme, sep, rest = url.partition("://")
    scheme = scheme.lower()
    if not sep:
        raise DatabaseUrlError(
            "DATABASE_URL should look like sqlite:///data/boundary-bot.db or postgresql://user@host/db"
        )
    if scheme in _SQLITE:
        return f"sqlite+aiosqlite://{rest}"
    if scheme in _POSTGRES:
        parts = urlsplit(f"postgresql+asyncpg://{rest}")
        query = [("ssl", value) if key == "sslmode" else (key, value) for key, value in parse_qsl(parts.query)]
        return urlunsplit(parts._replace(query=urlencode(query)))
    raise DatabaseUrlError(f"DATABASE_URL scheme {scheme!r} is not supported: use sqlite:// or postgresql://")


def redact(url: str) -> str:
    """The URL without its password, for doctor and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
    return urlunsplit(parts._replace(netloc=netloc))
