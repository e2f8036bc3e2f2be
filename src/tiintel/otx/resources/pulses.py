"""Pulses: feeds, details, indicators, search, related, creation, edits and subscriptions."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, Final

from tiintel._exceptions import InvalidArgumentError

from ..._core.request import ForbiddenMeaning, RequestSpec
from ..._exceptions import ResponseParseError
from ..._http import AsyncSender, SyncSender
from ..._types import JSON
from ...models._base import freeze
from ...models.otx import Pulse, PulseIndicator
from ...models.otx_sections import PulseEvent
from .._indicators import IndicatorArg
from .._pager import AsyncOTXPageIterator, OTXPageIterator, PageWalker
from .._params import SinceArg, iso_utc
from .._pulse_bodies import create_body, update_body
from ._base import AsyncResource, SyncResource, walker

__all__ = ["AsyncPulses", "Pulses"]

FEED_PAGE_SIZE: Final = 50
SEARCH_PAGE_SIZE: Final = 25
INDICATOR_PAGE_SIZE: Final = 500

RemoveArg = Iterable[PulseIndicator | int | str | Mapping[str, Any]]


def pulse_id_of(pulse_id: str) -> str:
    """The stripped pulse id; ValueError for an empty or non-string id (nothing is sent)."""
    if not isinstance(pulse_id, str) or not pulse_id.strip():
        raise InvalidArgumentError(f"a pulse id is a non-empty string, got {pulse_id!r}")
    return pulse_id.strip()


def pulse_spec(pulse_id: str, *rest: str, method: str = "GET", **kw: Any) -> RequestSpec:
    """A request on one pulse: 403 there means a private pulse you may not see."""
    return RequestSpec(
        method=method,
        path=("pulses", pulse_id_of(pulse_id), *rest),
        forbidden_means="permission",
        **kw,
    )


def create_spec(name: str, **fields: Any) -> RequestSpec:
    """POST /pulses/create with a body checked client-side; never retried once sent."""
    return RequestSpec(
        method="POST",
        path=("pulses", "create"),
        json=create_body(name, **fields),
        idempotent=False,
        forbidden_means="auth",
    )


def group_spec(pulse_id: str, group_id: int | str, action: str) -> RequestSpec:
    """GET /groups/{group}/add_pulse|remove_pulse?pulse_id=; 403 means not a member."""
    if (
        isinstance(group_id, bool)
        or not isinstance(group_id, int | str)
        or not str(group_id).strip()
    ):
        raise InvalidArgumentError(f"a group id is an int or a non-empty string, got {group_id!r}")
    return RequestSpec(
        path=("groups", str(group_id).strip(), action),
        params={"pulse_id": pulse_id_of(pulse_id)},
        forbidden_means="permission",
    )


def parse_status(payload: JSON) -> Mapping[str, Any]:
    """A read-only copy of a status answer such as ``{"status": "subscribed", ...}``."""
    if not isinstance(payload, Mapping):
        raise ResponseParseError("OTX status answer is not a JSON object", provider="otx")
    frozen: Mapping[str, Any] = freeze(payload)
    return frozen


def modified_of(pulse: Pulse) -> datetime | None:
    """What a pulse feed's watermark is made of."""
    return pulse.modified


_Sender = SyncSender | AsyncSender


def feed_walker(
    sender: _Sender, name: str, modified_since: SinceArg, limit: int | None, page_size: int | None
) -> PageWalker:
    """/pulses/subscribed or /pulses/activity from ``modified_since`` on."""
    params = {"modified_since": iso_utc(modified_since)}
    return walker(
        sender,
        ("pulses", name),
        params,
        page_size=page_size,
        default_page_size=FEED_PAGE_SIZE,
        limit=limit,
    )


def search_walker(
    sender: _Sender, query: str, limit: int | None, page_size: int | None
) -> PageWalker:
    """/search/pulses?q=; ValueError for an empty query."""
    if not isinstance(query, str) or not query.strip():
        raise InvalidArgumentError("a pulse search needs a non-empty query")
    return walker(
        sender,
        ("search", "pulses"),
        {"q": query.strip()},
        page_size=page_size,
        default_page_size=SEARCH_PAGE_SIZE,
        limit=limit,
    )


def pulse_list_walker(
    sender: _Sender,
    pulse_id: str,
    what: str,
    params: Mapping[str, Any],
    limit: int | None,
    page_size: int | None,
    default_page_size: int,
) -> PageWalker:
    """/pulses/{id}/indicators or /pulses/{id}/related."""
    return walker(
        sender,
        ("pulses", pulse_id_of(pulse_id), what),
        params,
        page_size=page_size,
        default_page_size=default_page_size,
        limit=limit,
    )


def events_walker(
    sender: _Sender, since: SinceArg, limit: int | None, page_size: int | None
) -> PageWalker:
    """/pulses/events from ``since`` on (the parameter name the official SDK sends)."""
    return walker(
        sender,
        ("pulses", "events"),
        {"since": iso_utc(since, "since")},
        page_size=page_size,
        default_page_size=FEED_PAGE_SIZE,
        limit=limit,
    )


_PERMISSION: Final[ForbiddenMeaning] = "permission"


class Pulses(SyncResource):
    """``otx.pulses``: read, search, follow, create and edit pulses."""

    def get(self, pulse_id: str) -> Pulse:
        """One pulse with all its indicators; a private pulse you may not see raises ``PermissionDeniedError``."""
        return Pulse.from_api(self._sender.request(pulse_spec(pulse_id)))

    def indicators(
        self,
        pulse_id: str,
        *,
        include_inactive: bool = False,
        limit: int | None = None,
        page_size: int | None = None,
    ) -> OTXPageIterator[PulseIndicator]:
        """A lazy iterator over a pulse's indicators (expired ones only with ``include_inactive``)."""
        params = {"include_inactive": 1 if include_inactive else None}
        pager = pulse_list_walker(
            self._sender, pulse_id, "indicators", params, limit, page_size, INDICATOR_PAGE_SIZE
        )
        return self._pages(pager, PulseIndicator.from_api, _PERMISSION)

    def subscribed(
        self,
        *,
        modified_since: SinceArg = None,
        limit: int | None = None,
        page_size: int | None = None,
    ) -> OTXPageIterator[Pulse]:
        """A lazy iterator over the pulses you subscribe to, newest first, with their indicators.

        ``limit`` is the maximum number of pulses, ``page_size`` the pulses per request. One page
        is in memory at a time and the next is fetched only when needed. A page that fails with
        502/504 (after retries) is asked again in smaller pages, skipping and repeating nothing.
        After a complete pass, the iterator's ``watermark`` is the newest ``modified``: pass it as
        ``modified_since`` next time to fetch only what changed.
        """
        pager = feed_walker(self._sender, "subscribed", modified_since, limit, page_size)
        return self._pages(pager, Pulse.from_api, "auth", modified_of=modified_of)

    def activity(
        self,
        *,
        modified_since: SinceArg = None,
        limit: int | None = None,
        page_size: int | None = None,
    ) -> OTXPageIterator[Pulse]:
        """A lazy iterator over the community's recent pulses (``/pulses/activity``), newest first.

        Paged like ``subscribed`` (same ``watermark``); it answers fast when the subscribed feed
        times out.
        """
        pager = feed_walker(self._sender, "activity", modified_since, limit, page_size)
        return self._pages(pager, Pulse.from_api, "auth", modified_of=modified_of)

    def events(
        self, *, since: SinceArg = None, limit: int | None = None, page_size: int | None = None
    ) -> OTXPageIterator[PulseEvent]:
        """A lazy iterator over changes to your subscriptions (``/pulses/events``), oldest first."""
        return self._pages(
            events_walker(self._sender, since, limit, page_size), PulseEvent.from_api, "auth"
        )

    def search(
        self, query: str, *, limit: int | None = None, page_size: int | None = None
    ) -> OTXPageIterator[Pulse]:
        """A lazy iterator over public pulses matching ``query`` (names, tags, indicators...)."""
        return self._pages(
            search_walker(self._sender, query, limit, page_size), Pulse.from_api, "auth"
        )

    def related(
        self, pulse_id: str, *, limit: int | None = None, page_size: int | None = None
    ) -> OTXPageIterator[Pulse]:
        """A lazy iterator over pulses related to one (shared adversary, malware or indicators)."""
        pager = pulse_list_walker(
            self._sender, pulse_id, "related", {}, limit, page_size, SEARCH_PAGE_SIZE
        )
        return self._pages(pager, Pulse.from_api, _PERMISSION)

    def create(
        self,
        name: str,
        *,
        indicators: Iterable[IndicatorArg] = (),
        description: str = "",
        public: bool = True,
        tlp: str = "white",
        tags: Iterable[str] = (),
        references: Iterable[str] = (),
        adversary: str | None = None,
        malware_families: Iterable[str] = (),
        attack_ids: Iterable[str] = (),
        group_ids: Iterable[int] = (),
    ) -> Pulse:
        """Create a pulse and return it; everything is checked before anything is sent.

        ``name`` must have 5 to 64 characters and ``tlp`` be white, clear, green, amber or red
        (amber and red need ``public=False``): ``ValueError`` otherwise. ``indicators`` are
        ``Indicator`` objects, strings (parsed and typed) or ``{"indicator", "type"}`` dicts
        with a known OTX type: ``InvalidIndicatorError`` otherwise. Never retried once sent.
        """
        spec = create_spec(
            name,
            indicators=indicators,
            description=description,
            public=public,
            tlp=tlp,
            tags=tags,
            references=references,
            adversary=adversary,
            malware_families=malware_families,
            attack_ids=attack_ids,
            group_ids=group_ids,
        )
        return Pulse.from_api(self._sender.request(spec))

    def update(
        self,
        pulse_id: str,
        *,
        add: Iterable[IndicatorArg] = (),
        remove: RemoveArg = (),
        name: str | None = None,
        description: str | None = None,
        add_tags: Iterable[str] = (),
        remove_tags: Iterable[str] = (),
    ) -> Pulse:
        """Edit one of your pulses and return it: add indicators, remove them (by id), rename...

        ``add`` takes what ``create(indicators=...)`` takes; ``remove`` takes indicator ids or
        ``PulseIndicator`` objects. Checked before sending, like ``create``.
        """
        body = update_body(
            add=add,
            remove=remove,
            name=name,
            description=description,
            add_tags=add_tags,
            remove_tags=remove_tags,
        )
        spec = pulse_spec(pulse_id, method="PATCH", json=body, idempotent=False)
        return Pulse.from_api(self._sender.request(spec))

    def subscribe(self, pulse_id: str) -> Mapping[str, Any]:
        """Subscribe to a pulse; returns OTX's answer (``status``, ``subscriber_count``)."""
        return parse_status(self._sender.request(pulse_spec(pulse_id, "subscribe")))

    def unsubscribe(self, pulse_id: str) -> Mapping[str, Any]:
        """Unsubscribe from a pulse; returns OTX's answer (``status``, ``subscriber_count``)."""
        return parse_status(self._sender.request(pulse_spec(pulse_id, "unsubscribe")))

    def add_to_group(self, pulse_id: str, group_id: int | str) -> Mapping[str, Any]:
        """Share a pulse with a group; ``PermissionDeniedError`` if you are not a member."""
        return parse_status(self._sender.request(group_spec(pulse_id, group_id, "add_pulse")))

    def remove_from_group(self, pulse_id: str, group_id: int | str) -> Mapping[str, Any]:
        """Remove a pulse from a group; ``PermissionDeniedError`` if you are not a member."""
        return parse_status(self._sender.request(group_spec(pulse_id, group_id, "remove_pulse")))


class AsyncPulses(AsyncResource):
    """``otx.pulses``: read, search, follow, create and edit pulses."""

    async def get(self, pulse_id: str) -> Pulse:
        """One pulse with all its indicators; a private pulse you may not see raises ``PermissionDeniedError``."""
        return Pulse.from_api(await self._sender.request(pulse_spec(pulse_id)))

    def indicators(
        self,
        pulse_id: str,
        *,
        include_inactive: bool = False,
        limit: int | None = None,
        page_size: int | None = None,
    ) -> AsyncOTXPageIterator[PulseIndicator]:
        """A lazy iterator over a pulse's indicators (expired ones only with ``include_inactive``)."""
        params = {"include_inactive": 1 if include_inactive else None}
        pager = pulse_list_walker(
            self._sender, pulse_id, "indicators", params, limit, page_size, INDICATOR_PAGE_SIZE
        )
        return self._pages(pager, PulseIndicator.from_api, _PERMISSION)

    def subscribed(
        self,
        *,
        modified_since: SinceArg = None,
        limit: int | None = None,
        page_size: int | None = None,
    ) -> AsyncOTXPageIterator[Pulse]:
        """A lazy iterator over the pulses you subscribe to, newest first, with their indicators.

        ``limit`` is the maximum number of pulses, ``page_size`` the pulses per request. One page
        is in memory at a time and the next is fetched only when needed. A page that fails with
        502/504 (after retries) is asked again in smaller pages, skipping and repeating nothing.
        After a complete pass, the iterator's ``watermark`` is the newest ``modified``: pass it as
        ``modified_since`` next time to fetch only what changed.
        """
        pager = feed_walker(self._sender, "subscribed", modified_since, limit, page_size)
        return self._pages(pager, Pulse.from_api, "auth", modified_of=modified_of)

    def activity(
        self,
        *,
        modified_since: SinceArg = None,
        limit: int | None = None,
        page_size: int | None = None,
    ) -> AsyncOTXPageIterator[Pulse]:
        """A lazy iterator over the community's recent pulses (``/pulses/activity``), newest first.

        Paged like ``subscribed`` (same ``watermark``); it answers fast when the subscribed feed
        times out.
        """
        pager = feed_walker(self._sender, "activity", modified_since, limit, page_size)
        return self._pages(pager, Pulse.from_api, "auth", modified_of=modified_of)

    def events(
        self, *, since: SinceArg = None, limit: int | None = None, page_size: int | None = None
    ) -> AsyncOTXPageIterator[PulseEvent]:
        """A lazy iterator over changes to your subscriptions (``/pulses/events``), oldest first."""
        return self._pages(
            events_walker(self._sender, since, limit, page_size), PulseEvent.from_api, "auth"
        )

    def search(
        self, query: str, *, limit: int | None = None, page_size: int | None = None
    ) -> AsyncOTXPageIterator[Pulse]:
        """A lazy iterator over public pulses matching ``query`` (names, tags, indicators...)."""
        return self._pages(
            search_walker(self._sender, query, limit, page_size), Pulse.from_api, "auth"
        )

    def related(
        self, pulse_id: str, *, limit: int | None = None, page_size: int | None = None
    ) -> AsyncOTXPageIterator[Pulse]:
        """A lazy iterator over pulses related to one (shared adversary, malware or indicators)."""
        pager = pulse_list_walker(
            self._sender, pulse_id, "related", {}, limit, page_size, SEARCH_PAGE_SIZE
        )
        return self._pages(pager, Pulse.from_api, _PERMISSION)

    async def create(
        self,
        name: str,
        *,
        indicators: Iterable[IndicatorArg] = (),
        description: str = "",
        public: bool = True,
        tlp: str = "white",
        tags: Iterable[str] = (),
        references: Iterable[str] = (),
        adversary: str | None = None,
        malware_families: Iterable[str] = (),
        attack_ids: Iterable[str] = (),
        group_ids: Iterable[int] = (),
    ) -> Pulse:
        """Create a pulse and return it; everything is checked before anything is sent.

        ``name`` must have 5 to 64 characters and ``tlp`` be white, clear, green, amber or red
        (amber and red need ``public=False``): ``ValueError`` otherwise. ``indicators`` are
        ``Indicator`` objects, strings (parsed and typed) or ``{"indicator", "type"}`` dicts
        with a known OTX type: ``InvalidIndicatorError`` otherwise. Never retried once sent.
        """
        spec = create_spec(
            name,
            indicators=indicators,
            description=description,
            public=public,
            tlp=tlp,
            tags=tags,
            references=references,
            adversary=adversary,
            malware_families=malware_families,
            attack_ids=attack_ids,
            group_ids=group_ids,
        )
        return Pulse.from_api(await self._sender.request(spec))

    async def update(
        self,
        pulse_id: str,
        *,
        add: Iterable[IndicatorArg] = (),
        remove: RemoveArg = (),
        name: str | None = None,
        description: str | None = None,
        add_tags: Iterable[str] = (),
        remove_tags: Iterable[str] = (),
    ) -> Pulse:
        """Edit one of your pulses and return it: add indicators, remove them (by id), rename...

        ``add`` takes what ``create(indicators=...)`` takes; ``remove`` takes indicator ids or
        ``PulseIndicator`` objects. Checked before sending, like ``create``.
        """
        body = update_body(
            add=add,
            remove=remove,
            name=name,
            description=description,
            add_tags=add_tags,
            remove_tags=remove_tags,
        )
        spec = pulse_spec(pulse_id, method="PATCH", json=body, idempotent=False)
        return Pulse.from_api(await self._sender.request(spec))

    async def subscribe(self, pulse_id: str) -> Mapping[str, Any]:
        """Subscribe to a pulse; returns OTX's answer (``status``, ``subscriber_count``)."""
        return parse_status(await self._sender.request(pulse_spec(pulse_id, "subscribe")))

    async def unsubscribe(self, pulse_id: str) -> Mapping[str, Any]:
        """Unsubscribe from a pulse; returns OTX's answer (``status``, ``subscriber_count``)."""
        return parse_status(await self._sender.request(pulse_spec(pulse_id, "unsubscribe")))

    async def add_to_group(self, pulse_id: str, group_id: int | str) -> Mapping[str, Any]:
        """Share a pulse with a group; ``PermissionDeniedError`` if you are not a member."""
        return parse_status(await self._sender.request(group_spec(pulse_id, group_id, "add_pulse")))

    async def remove_from_group(self, pulse_id: str, group_id: int | str) -> Mapping[str, Any]:
        """Remove a pulse from a group; ``PermissionDeniedError`` if you are not a member."""
        return parse_status(
            await self._sender.request(group_spec(pulse_id, group_id, "remove_pulse"))
        )
