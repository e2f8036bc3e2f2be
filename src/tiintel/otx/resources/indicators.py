"""Indicators: ``/indicators/{type}/{value}/{section}``, the export feed and validation."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping
from typing import Any, Literal, TypeAlias, overload

from ..._core.indicators import Indicator, IndicatorType
from ..._core.request import RequestSpec
from ..._exceptions import BadRequestError, ResponseParseError
from ..._types import JSON
from ...models import (
    SECTION_MODELS,
    ExportedIndicator,
    GeoDetails,
    IndicatorDetails,
    MalwareSamples,
    PassiveDNS,
    URLList,
)
from ...models._base import Model, freeze
from .._indicators import TypeArg, check_section, pulse_indicator, resolve, sections_of
from .._pager import AsyncOTXPageIterator, OTXPageIterator
from .._params import SinceArg, iso_utc, types_param
from ._base import AsyncResource, SyncResource, walker

__all__ = ["AsyncIndicators", "IndicatorSection", "Indicators"]

IndicatorSection: TypeAlias = (
    "IndicatorDetails | GeoDetails | PassiveDNS | URLList | MalwareSamples | Mapping[str, Any]"
)
"""What ``indicators.get`` returns: a typed model for general/geo/passive_dns/url_list/malware,
a read-only mapping for the other sections."""

EXPORT_PAGE_SIZE = 500


def section_spec(value: str, section: str, kind: TypeArg) -> tuple[RequestSpec, str]:
    """GET /indicators/{type}/{value}/{section}, checked; (spec, path type).

    The value travels as ONE percent-encoded path segment, whatever ``/ ? # %`` it holds.
    """
    path_type, normalised = resolve(value, kind)
    check_section(path_type, section, normalised)
    spec = RequestSpec(path=("indicators", path_type, normalised, section), forbidden_means="auth")
    return spec, path_type


def parse_section(section: str, payload: JSON) -> IndicatorSection:
    """The model of a section answer, or a read-only deep copy for sections without one."""
    model: type[Model] | None = SECTION_MODELS.get(section)
    if model is not None:
        parsed: IndicatorSection = model.from_api(payload)  # type: ignore[attr-defined]
        return parsed
    if not isinstance(payload, Mapping):
        raise ResponseParseError(f"OTX {section} section is not a JSON object", provider="otx")
    frozen: Mapping[str, Any] = freeze(payload)
    return frozen


def details_plan(value: str, kind: TypeArg) -> list[tuple[str, RequestSpec]]:
    """(section, spec) for every section of the value's type, in ``SECTIONS`` order."""
    path_type = section_spec(value, "general", kind)[1]
    return [(s, section_spec(value, s, kind)[0]) for s in sections_of(path_type)]


def export_params(
    types: Iterable[IndicatorType | str] | str | None, modified_since: SinceArg
) -> dict[str, str | None]:
    """The query of /indicators/export."""
    return {"types": types_param(types), "modified_since": iso_utc(modified_since)}


def validate_spec(indicator: Indicator | str, kind: str | None, description: str) -> RequestSpec:
    """POST /pulses/indicators/validate with a checked indicator."""
    if kind is None:
        item = pulse_indicator(indicator)
    else:
        value = indicator.value if isinstance(indicator, Indicator) else indicator
        item = pulse_indicator({"indicator": value, "type": kind})
    body = {"indicator": item["indicator"], "type": item["type"], "description": description}
    return RequestSpec(
        method="POST",
        path=("pulses", "indicators", "validate"),
        json=body,
        forbidden_means="auth",
    )


def validated(payload: JSON) -> bool:
    """True when the validate answer says success."""
    status = payload.get("status") if isinstance(payload, Mapping) else None
    return isinstance(status, str) and "success" in status.lower()


class Indicators(SyncResource):
    """``otx.indicators``: what OTX knows about an indicator, the export feed, validation."""

    @overload
    def get(
        self, value: str, section: Literal["general"] = ..., *, type: TypeArg = None
    ) -> IndicatorDetails: ...
    @overload
    def get(self, value: str, section: Literal["geo"], *, type: TypeArg = None) -> GeoDetails: ...
    @overload
    def get(
        self, value: str, section: Literal["passive_dns"], *, type: TypeArg = None
    ) -> PassiveDNS: ...
    @overload
    def get(self, value: str, section: Literal["url_list"], *, type: TypeArg = None) -> URLList: ...
    @overload
    def get(
        self, value: str, section: Literal["malware"], *, type: TypeArg = None
    ) -> MalwareSamples: ...
    @overload
    def get(self, value: str, section: str, *, type: TypeArg = None) -> IndicatorSection: ...

    def get(
        self,
        value: str,
        section: str = "general",
        *,
        type: TypeArg = None,
    ) -> IndicatorSection:
        """One section of what OTX knows about an indicator.

        ``type`` is an ``IndicatorType``, an OTX path type ("IPv4", "IPv6", "domain",
        "hostname", "url", "file", "cve") or None to detect it from the value. ``general`` gives
        an ``IndicatorDetails`` (pulses, ``whitelisted``, false positives); ``geo``,
        ``passive_dns``, ``url_list`` and ``malware`` give their models; other sections a
        read-only mapping. A value that is not an indicator, or a section OTX does not offer for
        its type (``SECTIONS``), raises ``InvalidIndicatorError`` before any request.
        """
        spec, _ = section_spec(value, section, type)
        return parse_section(section, self._sender.request(spec))

    def details(
        self,
        value: str,
        *,
        type: TypeArg = None,
    ) -> dict[str, IndicatorSection]:
        """Every section OTX offers for the indicator's type, keyed by section name.

        One request per section (concurrently on the async client); the first failing section
        raises its error.
        """
        return {
            s: parse_section(s, self._sender.request(spec)) for s, spec in details_plan(value, type)
        }

    def export(
        self,
        *,
        types: Iterable[IndicatorType | str] | str | None = None,
        modified_since: SinceArg = None,
        limit: int | None = None,
        page_size: int | None = None,
    ) -> OTXPageIterator[ExportedIndicator]:
        """A lazy iterator over the indicators of your subscribed pulses (``/indicators/export``).

        ``types`` are OTX pulse types ("IPv4", "FileHash-MD5", ...) or ``IndicatorType``s;
        ``modified_since`` a datetime or ISO string. One page in memory.
        """
        pager = walker(
            self._sender,
            ("indicators", "export"),
            export_params(types, modified_since),
            page_size=page_size,
            default_page_size=EXPORT_PAGE_SIZE,
            limit=limit,
        )
        return self._pages(pager, ExportedIndicator.from_api, "auth")

    def validate(
        self,
        indicator: Indicator | str,
        type: str | None = None,
        *,
        description: str = "",
    ) -> bool:
        """Whether OTX accepts ``indicator`` as a pulse indicator of ``type`` (an OTX pulse type).

        ``type`` None detects it. What tiintel can reject itself (an unknown type, a value not of
        its type) raises ``InvalidIndicatorError`` without a request; False means OTX said no.
        """
        spec = validate_spec(indicator, type, description)
        try:
            return validated(self._sender.request(spec))
        except BadRequestError:
            return False


class AsyncIndicators(AsyncResource):
    """``otx.indicators``: what OTX knows about an indicator, the export feed, validation."""

    @overload
    async def get(
        self, value: str, section: Literal["general"] = ..., *, type: TypeArg = None
    ) -> IndicatorDetails: ...
    @overload
    async def get(
        self, value: str, section: Literal["geo"], *, type: TypeArg = None
    ) -> GeoDetails: ...
    @overload
    async def get(
        self, value: str, section: Literal["passive_dns"], *, type: TypeArg = None
    ) -> PassiveDNS: ...
    @overload
    async def get(
        self, value: str, section: Literal["url_list"], *, type: TypeArg = None
    ) -> URLList: ...
    @overload
    async def get(
        self, value: str, section: Literal["malware"], *, type: TypeArg = None
    ) -> MalwareSamples: ...
    @overload
    async def get(self, value: str, section: str, *, type: TypeArg = None) -> IndicatorSection: ...

    async def get(
        self,
        value: str,
        section: str = "general",
        *,
        type: TypeArg = None,
    ) -> IndicatorSection:
        """One section of what OTX knows about an indicator.

        ``type`` is an ``IndicatorType``, an OTX path type ("IPv4", "IPv6", "domain",
        "hostname", "url", "file", "cve") or None to detect it from the value. ``general`` gives
        an ``IndicatorDetails`` (pulses, ``whitelisted``, false positives); ``geo``,
        ``passive_dns``, ``url_list`` and ``malware`` give their models; other sections a
        read-only mapping. A value that is not an indicator, or a section OTX does not offer for
        its type (``SECTIONS``), raises ``InvalidIndicatorError`` before any request.
        """
        spec, _ = section_spec(value, section, type)
        return parse_section(section, await self._sender.request(spec))

    async def details(
        self,
        value: str,
        *,
        type: TypeArg = None,
    ) -> dict[str, IndicatorSection]:
        """Every section OTX offers for the indicator's type, keyed by section name.

        One request per section (concurrently on the async client); the first failing section
        raises its error.
        """
        plan = details_plan(value, type)
        answers = await asyncio.gather(
            *(self._sender.request(spec) for _, spec in plan), return_exceptions=True
        )
        for answer in answers:
            if isinstance(answer, BaseException):
                raise answer
        return {s: parse_section(s, answer) for (s, _), answer in zip(plan, answers, strict=True)}

    def export(
        self,
        *,
        types: Iterable[IndicatorType | str] | str | None = None,
        modified_since: SinceArg = None,
        limit: int | None = None,
        page_size: int | None = None,
    ) -> AsyncOTXPageIterator[ExportedIndicator]:
        """A lazy iterator over the indicators of your subscribed pulses (``/indicators/export``).

        ``types`` are OTX pulse types ("IPv4", "FileHash-MD5", ...) or ``IndicatorType``s;
        ``modified_since`` a datetime or ISO string. One page in memory.
        """
        pager = walker(
            self._sender,
            ("indicators", "export"),
            export_params(types, modified_since),
            page_size=page_size,
            default_page_size=EXPORT_PAGE_SIZE,
            limit=limit,
        )
        return self._pages(pager, ExportedIndicator.from_api, "auth")

    async def validate(
        self,
        indicator: Indicator | str,
        type: str | None = None,
        *,
        description: str = "",
    ) -> bool:
        """Whether OTX accepts ``indicator`` as a pulse indicator of ``type`` (an OTX pulse type).

        ``type`` None detects it. What tiintel can reject itself (an unknown type, a value not of
        its type) raises ``InvalidIndicatorError`` without a request; False means OTX said no.
        """
        spec = validate_spec(indicator, type, description)
        try:
            return validated(await self._sender.request(spec))
        except BadRequestError:
            return False
