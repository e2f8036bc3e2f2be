"""Search parameters: the public ``/search`` and the premium ``/intelligence/search``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from tiintel._exceptions import InvalidArgumentError

PREMIUM_HINT: Final = (
    "intelligence search needs a premium (VirusTotal Enterprise) API key; "
    "a 403 here means this key has no such access"
)


def search_params(query: str) -> dict[str, str]:
    """``query=...``; ValueError for an empty query."""
    if not isinstance(query, str) or not query.strip():
        raise InvalidArgumentError("a search needs a non-empty query")
    return {"query": query.strip()}


def intelligence_params(query: str, order: str | None, descriptors_only: bool) -> Mapping[str, Any]:
    """The parameters of an intelligence search (``order`` like ``"positives-"``)."""
    return {**search_params(query), "order": order, "descriptors_only": descriptors_only or None}
