"""VirusTotal comments, votes, search, intelligence search and user quota endpoints."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

from tiintel.testing._classify import canonical_url, hash_kind, ip_version, is_domain
from tiintel.testing._vt_data import COLLECTIONS
from tiintel.testing._vt_objects import render_item
from tiintel.testing._vt_render import collection_page, error, not_found, vt_object
from tiintel.testing._vt_state import VTState
from tiintel.testing._wire import FakeRequest, FakeResponse, json_response

__all__ = [
    "api_usage",
    "comments",
    "intelligence_search",
    "overall_quotas",
    "search",
    "user",
    "votes",
]

QUOTA_WINDOWS = {
    "api_requests_hourly": 3_600.0,
    "api_requests_daily": 86_400.0,
    "api_requests_monthly": 31 * 86_400.0,
}
UNLIMITED = 1_000_000_000
ALLOWED_ORDERS = ["first_submission_date", "last_submission_date", "positives", "size"]


def _data_attributes(request: FakeRequest, kind: str) -> dict[str, Any] | None:
    body = request.json()
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, dict) or data.get("type") != kind:
        return None
    attributes = data.get("attributes")
    return attributes if isinstance(attributes, dict) else None


def comments(state: VTState, request: FakeRequest, collection: str, object_id: str) -> FakeResponse:
    """GET (paged) or POST ``{"data": {"type": "comment", "attributes": {"text"}}}``."""
    kind = COLLECTIONS[collection]
    found = state.dataset.find(kind, object_id)
    if found is None:
        return not_found(kind, object_id)
    if request.method == "POST":
        attributes = _data_attributes(request, "comment")
        text = attributes.get("text") if attributes else None
        if not isinstance(text, str) or not text.strip():
            return error(400, "BadRequestError", "A comment needs data.attributes.text")
        comment = state.dataset.add_comment(kind, found[0], text, state.timestamp())
        return json_response(
            200, {"data": render_item(state, request.root, ("comment", comment["id"]))}
        )
    items = state.dataset.comments.get((kind, found[0]), [])
    return collection_page(
        request, items, lambda c: vt_object(request.root, "comment", c["id"], c["attributes"])
    )


def votes(state: VTState, request: FakeRequest, collection: str, object_id: str) -> FakeResponse:
    """GET (paged) or POST a verdict; a second vote by the same key is 409 AlreadyExistsError."""
    kind = COLLECTIONS[collection]
    found = state.dataset.find(kind, object_id)
    if found is None:
        return not_found(kind, object_id)
    canonical, object_attributes = found
    stored = state.dataset.votes.setdefault((kind, canonical), [])
    if request.method != "POST":
        return collection_page(
            request, stored, lambda v: vt_object(request.root, "vote", v["id"], v["attributes"])
        )
    attributes = _data_attributes(request, "vote")
    verdict = attributes.get("verdict") if attributes else None
    if verdict not in {"harmless", "malicious"}:
        return error(400, "BadRequestError", 'verdict must be "harmless" or "malicious"')
    voter = hashlib.sha256((request.header("x-apikey") or "").encode()).hexdigest()[:8]
    if (kind, canonical, voter) in state.voters:
        message = f'User "{voter}" already voted "{verdict}" for this {kind.replace("_", " ")}'
        return error(409, "AlreadyExistsError", message)
    state.voters.add((kind, canonical, voter))
    vote_id = f"{kind[0]}-{canonical}-{voter}"
    vote = {
        "type": "vote",
        "id": vote_id,
        "links": {"self": None},
        "attributes": {
            "date": state.timestamp(),
            "verdict": verdict,
            "value": 1 if verdict == "harmless" else -1,
        },
    }
    stored.insert(0, vote)
    totals = object_attributes.setdefault("total_votes", {"harmless": 0, "malicious": 0})
    totals[verdict] = totals.get(verdict, 0) + 1
    return json_response(200, {"data": vote})


def _lookup_query(state: VTState, query: str) -> list[tuple[str, str]]:
    text = query.strip()
    if hash_kind(text):
        kind = "file"
    elif ip_version(text):
        kind = "ip_address"
    elif "://" in text and canonical_url(text):
        kind = "url"
    elif is_domain(text):
        kind = "domain"
    else:
        tag = text.removeprefix("#").lower()
        return [
            ("comment", c["id"])
            for items in state.dataset.comments.values()
            for c in items
            if tag in c["attributes"]["tags"]
        ]
    found = state.dataset.find(kind, text)
    return [(kind, found[0])] if found else []


def search(state: VTState, request: FakeRequest) -> FakeResponse:
    """GET /search?query=: a hash, URL, domain, IP, or a comment tag."""
    query = request.params.get("query", "")
    if not query:
        return error(400, "BadRequestError", "Missing parameter: query")
    items = _lookup_query(state, query)
    return collection_page(request, items, lambda item: render_item(state, request.root, item))


def _matches(attributes: dict[str, Any], term: str) -> bool:
    name, _, value = term.partition(":")
    value = value.lower()
    stats = attributes.get("last_analysis_stats", {})
    if name in {"p", "positives"} and value:
        bound = int(value.rstrip("+-") or 0)
        malicious = int(stats.get("malicious", 0))
        return malicious <= bound if value.endswith("-") else malicious >= bound
    if name == "tag":
        return value in [t.lower() for t in attributes.get("tags", [])]
    if name == "type":
        return value in {
            str(attributes.get("type_tag", "")).lower(),
            str(attributes.get("type_extension", "")),
        }
    if name == "name":
        return any(value in n.lower() for n in attributes.get("names", []))
    label = attributes.get("popular_threat_classification", {}).get("suggested_threat_label", "")
    haystack = " ".join([*attributes.get("names", []), label]).lower()
    return term.lower() in haystack


def intelligence_search(state: VTState, request: FakeRequest) -> FakeResponse:
    """Premium GET /intelligence/search: files matching every term (``p:5+``, ``tag:``, ``type:``...)."""
    if not state.premium:
        return error(
            403, "ForbiddenError", "You are not authorized to perform the requested operation"
        )
    query = request.params.get("query", "").strip()
    if not query:
        return error(400, "BadRequestError", "Missing parameter: query")
    direct = _lookup_query(state, query) if len(query.split()) == 1 and ":" not in query else []
    if direct and direct[0][0] != "comment":
        items = direct
    else:
        terms = query.split()
        items = [
            ("file", object_id)
            for (kind, object_id), attributes in sorted(state.dataset.objects.items())
            if kind == "file" and all(_matches(attributes, t) for t in terms)
        ]
    descriptors = request.params.get("descriptors_only", "").lower() in {"true", "1"}

    def render(item: tuple[str, str]) -> dict[str, Any]:
        if descriptors:
            return {"type": item[0], "id": item[1]}
        return render_item(state, request.root, item)

    meta = {"total_hits": len(items), "allowed_orders": ALLOWED_ORDERS, "days_back": 90}
    return collection_page(request, items, render, extra_meta=meta)


def _key(request: FakeRequest) -> str:
    return request.header("x-apikey") or ""


def overall_quotas(state: VTState, request: FakeRequest, user_id: str) -> FakeResponse:
    """GET /users/{id}/overall_quotas: allowed/used per window for the calling key (free)."""
    data: dict[str, Any] = {}
    for name, window in QUOTA_WINDOWS.items():
        allowed = [n for n, period in state.quota.limits if _window_of(period) == window]
        data[name] = {
            "user": {
                "allowed": min(allowed) if allowed else UNLIMITED,
                "used": state.quota.used(_key(request), window),
            }
        }
    searches = 1000 if state.premium else 0
    data["intelligence_searches_monthly"] = {"user": {"allowed": searches, "used": 0}}
    data["intelligence_downloads_monthly"] = {"user": {"allowed": searches, "used": 0}}
    return json_response(200, {"data": data})


def _window_of(period: float) -> float | None:
    # a configured limit is reported under the window whose length it (about) matches;
    # per-minute limits have no window of their own in overall_quotas, like the service
    for window in QUOTA_WINDOWS.values():
        if window * 0.5 <= period <= window * 1.5:
            return window
    return None


def api_usage(state: VTState, request: FakeRequest, user_id: str) -> FakeResponse:
    """GET /users/{id}/api_usage: today's usage of the calling key (free)."""
    today = datetime.now(UTC).strftime("%Y-%m-%d")
    used = state.quota.used(_key(request), 86_400.0)
    counts = {"/api/v3/(lookups)": used} if used else {}
    payload = {
        "daily": {today: counts},
        "total": dict(counts),
        "daily_endpoints_not_consuming_quota": {today: {}},
        "total_endpoints_not_consuming_quota": {},
    }
    return json_response(200, {"data": payload})


def user(state: VTState, request: FakeRequest, user_id: str) -> FakeResponse:
    """GET /users/{id}: a user object whose ``quotas`` mirror overall_quotas."""
    quotas = {}
    for name, window in QUOTA_WINDOWS.items():
        allowed = [n for n, period in state.quota.limits if _window_of(period) == window]
        used = state.quota.used(_key(request), window)
        quotas[name] = {"allowed": min(allowed) if allowed else UNLIMITED, "used": used}
    attributes = {"quotas": quotas, "status": "active", "user_since": 1_600_000_000}
    obj = vt_object(request.root, "user", "tiintel_tester", attributes)
    return json_response(200, {"data": obj})
