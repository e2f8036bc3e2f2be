"""OTX wire shapes: the three pulse renderings (subscribed, detail, summary) and paged envelopes."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from tiintel.testing._wire import FakeRequest, FakeResponse, json_response

__all__ = ["detail", "detail_error", "paged", "subscribed", "summary"]

DEFAULT_LIMIT = 10


def detail_error(status: int, message: str) -> FakeResponse:
    """The DRF-style error body ``{"detail": "..."}``."""
    return json_response(status, {"detail": message})


def _author(pulse: dict[str, Any]) -> dict[str, Any]:
    name = pulse["author_name"]
    number = str(int(hashlib.sha256(name.encode()).hexdigest()[:6], 16))
    return {
        "username": name,
        "id": number,
        "avatar_url": f"/otxapi/users/avatar_image/media/avatars/user_{number}/resized/80/avatar.png",
        "is_subscribed": False,
        "is_following": False,
    }


def _active(indicator: dict[str, Any]) -> bool:
    expiration = indicator.get("expiration")
    if expiration and expiration < datetime.now(UTC).replace(tzinfo=None).isoformat():
        return False
    return bool(indicator.get("is_active", 1))


def subscribed(pulse: dict[str, Any]) -> dict[str, Any]:
    """A pulse as /pulses/subscribed and /pulses/activity send it: lower-case ``tlp``, string ids."""
    keys = ("id", "name", "description", "author_name", "modified", "created", "revision")
    out = {k: pulse[k] for k in keys}
    out.update(
        {
            "tlp": pulse["tlp"],
            "public": pulse["public"],
            "adversary": pulse["adversary"],
            "indicators": [dict(i) for i in pulse["indicators"]],
            "tags": list(pulse["tags"]),
            "targeted_countries": list(pulse["targeted_countries"]),
            "malware_families": list(pulse["malware_families"]),
            "attack_ids": [a["id"] for a in pulse["attack_ids"]],
            "references": list(pulse["references"]),
            "industries": list(pulse["industries"]),
            "extract_source": [],
            "more_indicators": False,
        }
    )
    return out


def _counts(pulse: dict[str, Any]) -> dict[str, Any]:
    active = [i for i in pulse["indicators"] if _active(i)]
    return {
        "indicator_type_counts": dict(Counter(i["type"] for i in active)),
        "indicator_count": len(active),
    }


def detail(pulse: dict[str, Any], username: str) -> dict[str, Any]:
    """A pulse as /pulses/{id} sends it: upper-case ``TLP``, attack_ids as objects, author object."""
    out = subscribed(pulse)
    out.pop("tlp")
    out.pop("more_indicators")
    out.update(
        {
            "TLP": pulse["tlp"],
            "author": _author(pulse),
            "attack_ids": [dict(a) for a in pulse["attack_ids"]],
            "groups": list(pulse["groups"]),
            "in_group": bool(pulse["groups"]),
            "is_subscribing": pulse["subscribed"],
            "is_author": pulse["author_name"] == username,
            "subscriber_count": pulse["subscriber_count"],
            "cloned_from": None,
            "locked": False,
            "pulse_source": "api" if pulse["author_name"] == username else "web",
            "indicators": [dict(i) for i in pulse["indicators"] if _active(i)],
        }
    )
    out.update(_counts(pulse))
    return out


def modified_text(stamp: str) -> str:
    """OTX's human age text, e.g. ``"3 days ago "`` (with its trailing space)."""
    then = datetime.fromisoformat(stamp).replace(tzinfo=UTC)
    days = (datetime.now(UTC) - then).days
    return f"{days} days ago " if days else "today "


def summary(pulse: dict[str, Any], indicator: dict[str, Any] | None = None) -> dict[str, Any]:
    """A pulse as listed in an indicator's ``pulse_info`` or in search results."""
    keys = ("id", "name", "description", "modified", "created", "adversary", "public")
    out: dict[str, Any] = {k: pulse[k] for k in keys}
    out.update(
        {
            "tags": list(pulse["tags"]),
            "references": list(pulse["references"]),
            "targeted_countries": list(pulse["targeted_countries"]),
            "malware_families": [
                {"id": m, "display_name": m, "target": None} for m in pulse["malware_families"]
            ],
            "attack_ids": [dict(a) for a in pulse["attack_ids"]],
            "industries": list(pulse["industries"]),
            "TLP": pulse["tlp"],
            "cloned_from": None,
            "export_count": 0,
            "upvotes_count": 0,
            "downvotes_count": 0,
            "votes_count": 0,
            "locked": False,
            "pulse_source": "web",
            "validator_count": 0,
            "comment_count": 0,
            "follower_count": 0,
            "vote": 0,
            "author": _author(pulse),
            "author_name": pulse["author_name"],
            "is_author": False,
            "is_subscribing": None,
            "subscriber_count": pulse["subscriber_count"],
            "modified_text": modified_text(pulse["modified"]),
            "is_modified": pulse["modified"] != pulse["created"],
            "groups": [],
            "in_group": False,
            "threat_hunter_scannable": False,
            "threat_hunter_has_agents": 1,
        }
    )
    out.update(_counts(pulse))
    if indicator is not None:
        out["related_indicator_type"] = indicator["type"]
        out["related_indicator_is_active"] = int(_active(indicator))
    return out


def page_numbers(request: FakeRequest, default_limit: int = DEFAULT_LIMIT) -> tuple[int, int]:
    """(page, limit) from the query; bad numbers fall back to the defaults."""
    params = request.params
    try:
        page = max(1, int(params.get("page") or 1))
    except ValueError:
        page = 1
    try:
        limit = max(1, int(params.get("limit") or default_limit))
    except ValueError:
        limit = default_limit
    return page, limit


def paged(
    request: FakeRequest,
    items: Sequence[Any],
    render: Callable[[Any], Any],
    *,
    default_limit: int = DEFAULT_LIMIT,
    extra: dict[str, Any] | None = None,
) -> FakeResponse:
    """The DRF page ``{results, count, next, previous}``; links absolute on the request's own host."""
    page, limit = page_numbers(request, default_limit)
    start = (page - 1) * limit
    chunk = items[start : start + limit]

    def link(number: int) -> str:
        params = dict(request.params)
        params["page"] = str(number)
        params.setdefault("limit", str(limit))
        return f"{request.root}{request.raw_path}?{urlencode(sorted(params.items()))}"

    payload: dict[str, Any] = {
        "results": [render(item) for item in chunk],
        "count": len(items),
        "next": link(page + 1) if start + limit < len(items) else None,
        "previous": link(page - 1) if page > 1 else None,
    }
    payload.update(extra or {})
    return json_response(200, payload)
