"""Relationships: the objects related to a file, URL, domain, IP address or analysis, page by page."""

from __future__ import annotations

from ..._types import JSON
from ...models.virustotal import VTObject
from .._ids import ObjectRef, object_path, related_object, relationship_name
from .._pager import AsyncVTIterator, VTIterator, page_spec
from ._base import AsyncResource, SyncResource


def relationship_path(obj_or_path: ObjectRef, name: str, descriptors_only: bool) -> tuple[str, ...]:
    """``/{collection}/{id}/{name}``, or ``/{collection}/{id}/relationships/{name}`` for descriptors."""
    collection, object_id = object_path(obj_or_path)
    name = relationship_name(name)
    if descriptors_only:
        return (collection, object_id, "relationships", name)
    return (collection, object_id, name)


class Relationships(SyncResource):
    """``vt.relationships(...)``: iterate over the objects related to an object."""

    def __call__(
        self,
        obj_or_path: ObjectRef,
        name: str,
        *,
        limit: int | None = None,
        page_size: int | None = None,
        cursor: str | None = None,
        descriptors_only: bool = False,
    ) -> VTIterator[VTObject]:
        """A lazy iterator over the ``name`` relationship of ``obj_or_path``.

        ``obj_or_path`` is a report (``FileReport``, ...), a ``VTObject``, an ``Analysis``, a
        ``(collection, id)`` pair or ``"collection/id"``. Pages are fetched as the loop goes
        (one in memory), following VirusTotal's cursor until the end or ``limit`` items;
        ``page_size`` items per request; ``.cursor`` resumes later. ``descriptors_only`` returns
        type and id only. A related object VirusTotal cannot return is a ``VTObject`` with
        ``error`` set, not a crash.
        """
        path = relationship_path(obj_or_path, name, descriptors_only)

        def fetch(page_cursor: str | None, size: int | None) -> JSON:
            return self._sender.request(page_spec(path, page_cursor, size))

        return VTIterator(fetch, related_object, limit=limit, page_size=page_size, cursor=cursor)


class AsyncRelationships(AsyncResource):
    """``vt.relationships(...)``: iterate over the objects related to an object."""

    def __call__(
        self,
        obj_or_path: ObjectRef,
        name: str,
        *,
        limit: int | None = None,
        page_size: int | None = None,
        cursor: str | None = None,
        descriptors_only: bool = False,
    ) -> AsyncVTIterator[VTObject]:
        """A lazy iterator over the ``name`` relationship of ``obj_or_path``.

        ``obj_or_path`` is a report (``FileReport``, ...), a ``VTObject``, an ``Analysis``, a
        ``(collection, id)`` pair or ``"collection/id"``. Pages are fetched as the loop goes
        (one in memory), following VirusTotal's cursor until the end or ``limit`` items;
        ``page_size`` items per request; ``.cursor`` resumes later. ``descriptors_only`` returns
        type and id only. A related object VirusTotal cannot return is a ``VTObject`` with
        ``error`` set, not a crash.
        """
        path = relationship_path(obj_or_path, name, descriptors_only)

        async def fetch(page_cursor: str | None, size: int | None) -> JSON:
            return await self._sender.request(page_spec(path, page_cursor, size))

        return AsyncVTIterator(
            fetch, related_object, limit=limit, page_size=page_size, cursor=cursor
        )
