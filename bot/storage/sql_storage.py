"""A durable botbuilder `Storage` on the bot database: dialog and conversation state that
survives restarts and is shared by every replica.

It follows the contract of botbuilder's `MemoryStorage` and its durable stores (BlobStorage,
CosmosDbPartitionedStorage):

- items are dicts or `StoreItem` objects; they are serialized with jsonpickle (`Pickler.flatten`
  to JSON, `Unpickler.restore` back), so objects inside them (botbuilder-dialogs' `DialogState`,
  prompt options, activities) come back as the same classes;
- `read` returns only the keys that exist, each item carrying its current `e_tag`;
- optimistic concurrency: an item whose `e_tag` is neither `"*"` nor empty/None is written only
  if the stored e-tag is still that one (or the key does not exist); otherwise
  `StorageConflictError` is raised and nothing of that `write` call is stored. `"*"`, `""` and
  no e-tag overwrite unconditionally. Every write gives the item a new e-tag (uuid4 hex), which
  is also set on the written object, so saving the same state twice in one turn works;
- items not written for `ttl` (default 7 days; None = never) read as absent and are removed by
  `purge_expired()`; keys longer than 512 characters are stored under their sha256.

The stored documents are trusted input: jsonpickle restores the classes they name.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from botbuilder.core import Storage
from jsonpickle.pickler import Pickler  # type: ignore[import-untyped]
from jsonpickle.unpickler import Unpickler  # type: ignore[import-untyped]
from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.storage.batched_delete import DEFAULT_BATCH_SIZE, delete_in_batches
from bot.storage.bot_database import BotDatabase
from bot.storage.schema import STATE_KEY_LENGTH, Clock, bot_state

DEFAULT_TTL = timedelta(days=7)
_HASHED_KEY_PREFIX = "sha256:"
_UNCONDITIONAL_ETAGS = (None, "", "*")


class StorageConflictError(Exception):
    """A write lost the optimistic-concurrency race: the item changed since it was read."""

    def __init__(self, key: str) -> None:
        super().__init__(
            f"storage e-tag conflict on key {key!r}: it was changed by another writer since it "
            "was read; nothing of this write was stored"
        )
        self.key = key


def storage_key(key: str) -> str:
    """The primary key `key` is stored under: itself, or its sha256 if longer than 512 chars."""
    if len(key) <= STATE_KEY_LENGTH:
        return key
    return _HASHED_KEY_PREFIX + hashlib.sha256(key.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class _Change:
    key: str
    stored_key: str
    item: Any
    expected_etag: str | None  # None: write unconditionally
    document: str
    new_etag: str


class SqlStorage(Storage):  # type: ignore[misc]  # botbuilder is untyped
    """botbuilder `Storage` in the `bot_state` table of a `BotDatabase`."""

    def __init__(self, database: BotDatabase, *, ttl: timedelta | None = DEFAULT_TTL,
                 clock: Clock | None = None) -> None:
        super().__init__()
        if ttl is not None and ttl <= timedelta(0):
            raise ValueError(f"ttl must be positive or None, not {ttl!r}")
        self._database = database
        self._ttl = ttl
        self._clock = clock or database.clock

    async def read(self, keys: Iterable[str]) -> dict[str, object]:
        """The stored items of `keys` that exist and have not expired, by key."""
        if not keys:
            return {}
        by_stored_key: dict[str, list[str]] = {}
        for key in keys:
            by_stored_key.setdefault(storage_key(key), []).append(key)
        statement = select(bot_state.c.key, bot_state.c.document, bot_state.c.etag).where(
            bot_state.c.key.in_(list(by_stored_key))
        )
        cutoff = self._cutoff()
        if cutoff is not None:
            statement = statement.where(bot_state.c.updated_at >= cutoff)
        async with self._database.engine.connect() as connection:
            rows = (await connection.execute(statement)).all()
        items: dict[str, object] = {}
        for row in rows:
            for key in by_stored_key[row.key]:
                items[key] = _decode(row.document, row.etag)
        return items

    async def write(self, changes: dict[str, object]) -> None:
        """Store `changes` in one transaction; `StorageConflictError` if an e-tag is stale."""
        if changes is None:
            raise ValueError("changes are required when writing")
        if not changes:
            return
        prepared = [_prepare(key, item) for key, item in changes.items()]
        async with self._database.engine.begin() as connection:
            for change in prepared:
                await self._write_one(connection, change)
        for change in prepared:  # after the commit, so a rolled-back write changes nothing
            _set_etag(change.item, change.new_etag)

    async def _write_one(self, connection: AsyncConnection, change: _Change) -> None:
        now = self._clock()
        values = {"document": change.document, "etag": change.new_etag, "updated_at": now}
        insert = self._database.insert(bot_state).values(key=change.stored_key, **values)
        if change.expected_etag is None:
            await connection.execute(insert.on_conflict_do_update(
                index_elements=[bot_state.c.key],
                set_={name: insert.excluded[name] for name in values},
            ))
            return
        matches = bot_state.c.etag == change.expected_etag
        cutoff = self._cutoff()
        if cutoff is not None:  # an expired item counts as absent: any e-tag may replace it
            matches = or_(matches, bot_state.c.updated_at < cutoff)
        updated = await connection.execute(
            update(bot_state).where(bot_state.c.key == change.stored_key).where(matches)
            .values(**values).returning(bot_state.c.key)
        )
        if updated.first() is not None:
            return
        # Not there with that e-tag: either absent (then an e-tag does not matter, as in
        # MemoryStorage) or changed by someone else; a concurrent insert also counts as changed.
        inserted = await connection.execute(
            insert.on_conflict_do_nothing(index_elements=[bot_state.c.key]).returning(bot_state.c.key)
        )
        if inserted.first() is None:
            raise StorageConflictError(change.key)

    async def delete(self, keys: Iterable[str]) -> None:
        """Remove `keys`; missing keys are ignored. (BotState passes a set.)"""
        stored_keys = list({storage_key(key) for key in keys or ()})
        if not stored_keys:
            return
        async with self._database.engine.begin() as connection:
            await connection.execute(delete(bot_state).where(bot_state.c.key.in_(stored_keys)))

    async def purge_expired(self, *, batch_size: int = DEFAULT_BATCH_SIZE) -> int:
        """Delete the items not written for `ttl`, in batches; returns how many (0 when ttl is
        None). An item written again meanwhile is kept."""
        cutoff = self._cutoff()
        if cutoff is None:
            return 0
        return await delete_in_batches(self._database.engine, bot_state,
                                       bot_state.c.updated_at < cutoff, batch_size=batch_size)

    def _cutoff(self) -> datetime | None:
        return None if self._ttl is None else self._clock() - self._ttl


def _prepare(key: str, item: object) -> _Change:
    if not isinstance(key, str) or not key:
        raise TypeError(f"storage keys are non-empty strings, not {key!r}")
    etag = _etag_of(item)
    return _Change(
        key=key,
        stored_key=storage_key(key),
        item=item,
        expected_etag=None if etag in _UNCONDITIONAL_ETAGS else str(etag),
        document=_encode(item),
        new_etag=uuid.uuid4().hex,
    )


def _etag_of(item: object) -> Any:
    if isinstance(item, dict):
        return item.get("e_tag")
    return getattr(item, "e_tag", None)


def _set_etag(item: object, etag: str) -> None:
    if isinstance(item, dict):
        item["e_tag"] = etag
    else:
        # An object that cannot take attributes (slots, builtins) is simply not told.
        with contextlib.suppress(AttributeError):
            item.e_tag = etag  # type: ignore[attr-defined]


def _encode(item: object) -> str:
    """The JSON document of `item`, as jsonpickle flattens it, without its e-tag."""
    flat = Pickler().flatten(item)
    if isinstance(flat, dict):
        flat.pop("e_tag", None)  # the etag column is the truth
    # ASCII only: an unpaired surrogate or NUL a user typed stays a JSON escape, which every
    # database text column holds (raw, PostgreSQL refuses both).
    return json.dumps(flat, ensure_ascii=True, separators=(",", ":"))


def _decode(document: str, etag: str) -> object:
    """The item stored as `document`, carrying `etag`."""
    flat = json.loads(document)
    if isinstance(flat, dict):
        flat["e_tag"] = etag
    return Unpickler().restore(flat)
