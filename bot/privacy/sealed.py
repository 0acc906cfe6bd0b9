"""Encrypted columns in tables the bot does not define (a platform library's own stores): each value sealed on
its way in, opened on its way out, and re-encrypted in place under the newest key. A value written in clear
by an older version is read as it is, and sealed by the next rotation."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

from sqlalchemy import Table, inspect, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.privacy.crypto import Cipher

FERNET_PREFIX = "gAAAAA"  # every Fernet token starts so
T = TypeVar("T")


def seal(cipher: Cipher, value: Any) -> Any:
    return cipher.encrypt(value) if isinstance(value, str) and value and not value.startswith(FERNET_PREFIX) \
        else value


def unseal(cipher: Cipher, value: Any) -> Any:
    return cipher.decrypt(value) if isinstance(value, str) and value.startswith(FERNET_PREFIX) else value


def with_fields(item: T, names: Sequence[str], cipher: Cipher, change: Callable[[Cipher, Any], Any]) -> T:
    """A copy of `item` with its attributes `names` (those it has) sealed or unsealed by `change`."""
    changed = copy.copy(item)
    for name in names:
        if hasattr(changed, name):
            setattr(changed, name, change(cipher, getattr(changed, name)))
    return changed


async def rotate_columns(engine: AsyncEngine, tables: Iterable[Table], names: Sequence[str], cipher: Cipher) -> int:
    """Every value of the columns `names` in `tables` under the newest key (tables that do not exist are
    skipped). Returns how many values changed."""
    async with engine.connect() as db:
        existing = set(await db.run_sync(lambda sync: inspect(sync).get_table_names()))
    count = 0
    for table in tables:
        if table.name not in existing:
            continue
        columns = [table.c[name] for name in names if name in table.c]
        async with engine.begin() as db:
            for row in (await db.execute(select(table.c.id, *columns))).mappings().all():
                values = {}
                for column in columns:
                    value = row[column.name]
                    if isinstance(value, str) and value:
                        values[column.name] = cipher.rotate(value) if value.startswith(FERNET_PREFIX) \
                            else cipher.encrypt(value)
                if values:
                    await db.execute(table.update().where(table.c.id == row["id"]).values(**values))
                    count += len(values)
    return count
