"""OTX pulse endpoints: feeds, details, indicators, related, subscriptions, create/edit, search."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

from tiintel.testing._classify import otx_type
from tiintel.testing._otx_data import OTXDataset, iso, match_key
from tiintel.testing._otx_render import detail, detail_error, paged, subscribed, summary
from tiintel.testing._wire import FakeRequest, FakeResponse, json_response

__all__ = [
    "activity",
    "create",
    "events",
    "export",
    "get_pulse",
    "patch_pulse",
    "pulse_indicators",
    "related",
    "search",
    "subscribe",
    "subscribed_feed",
    "validate",
]

TLPS = {"white", "clear", "green", "amber", "red"}


def _since(request: FakeRequest, *names: str) -> str | None:
    """An ISO timestamp parameter normalised to OTX's naive UTC text (None when absent)."""
    for name in names:
        raw = request.params.get(name)
        if raw:
            try:
                moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
            except ValueError:
                return raw
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=UTC)
            return iso(moment)
    return None


def _newest(pulses: list[dict[str, Any]], since: str | None) -> list[dict[str, Any]]:
    chosen = [p for p in pulses if since is None or p["modified"] > since]
    return sorted(chosen, key=lambda p: p["modified"], reverse=True)


def subscribed_feed(data: OTXDataset, request: FakeRequest) -> FakeResponse:
    """GET /pulses/subscribed: full pulses with indicators, ``prefetch_pulse_ids``, ``t``/``t2``/``t3``."""
    pulses = _newest(
        [p for p in data.pulses.values() if p["subscribed"]], _since(request, "modified_since")
    )
    author = request.params.get("author_name")
    if author:
        pulses = [p for p in pulses if p["author_name"] == author]
    extra = {"prefetch_pulse_ids": False, "t": 0, "t2": 0.0041, "t3": 0.0213}
    return paged(request, pulses, subscribed, default_limit=50, extra=extra)


def activity(data: OTXDataset, request: FakeRequest) -> FakeResponse:
    """GET /pulses/activity: every public pulse, newest first (the 504 workaround users adopt)."""
    pulses = _newest(
        [p for p in data.pulses.values() if p["public"] or p["subscribed"]],
        _since(request, "modified_since"),
    )
    return paged(request, pulses, subscribed, default_limit=50)


def get_pulse(data: OTXDataset, pulse_id: str) -> FakeResponse:
    """GET /pulses/{id}: upper-case ``TLP``, attack_ids as objects; 404 for unknown ids."""
    pulse = data.pulses.get(pulse_id)
    if pulse is None:
        return detail_error(404, "Not found.")
    return json_response(200, detail(pulse, data.user["username"]))


def pulse_indicators(data: OTXDataset, request: FakeRequest, pulse_id: str) -> FakeResponse:
    """GET /pulses/{id}/indicators (paged; inactive ones only with ``include_inactive=1``)."""
    pulse = data.pulses.get(pulse_id)
    if pulse is None:
        return detail_error(404, "Not found.")
    everything = request.params.get("include_inactive", "0").lower() in {"1", "true"}
    now = datetime.now(UTC).replace(tzinfo=None).isoformat()
    items = [
        i
        for i in pulse["indicators"]
        if everything or (i["is_active"] and not (i["expiration"] and i["expiration"] < now))
    ]
    return paged(request, items, dict, default_limit=1000)


def related(data: OTXDataset, request: FakeRequest, pulse_id: str) -> FakeResponse:
    """GET /pulses/{id}/related: pulses sharing an adversary, a malware family or an indicator."""
    pulse = data.pulses.get(pulse_id)
    if pulse is None:
        return detail_error(404, "Not found.")
    values = {match_key(i["indicator"]) for i in pulse["indicators"]}
    families = set(pulse["malware_families"])

    def shares(other: dict[str, Any]) -> bool:
        if other["id"] == pulse_id:
            return False
        if pulse["adversary"] and other["adversary"] == pulse["adversary"]:
            return True
        if families & set(other["malware_families"]):
            return True
        return any(match_key(i["indicator"]) in values for i in other["indicators"])

    chosen = _newest([p for p in data.pulses.values() if shares(p)], None)
    return paged(request, chosen, summary)


def subscribe(data: OTXDataset, pulse_id: str, *, on: bool) -> FakeResponse:
    """GET/POST /pulses/{id}/subscribe or /unsubscribe (also recorded as an event)."""
    pulse = data.pulses.get(pulse_id)
    if pulse is None:
        return detail_error(404, "Not found.")
    if pulse["subscribed"] != on:
        pulse["subscribed"] = on
        pulse["subscriber_count"] += 1 if on else -1
        data.add_event("subscribe" if on else "unsubscribe", "pulse", pulse_id, datetime.now(UTC))
    status = "subscribed" if on else "unsubscribed"
    return json_response(200, {"status": status, "subscriber_count": pulse["subscriber_count"]})


def _indicator_errors(items: Any) -> list[dict[str, list[str]]] | None:
    if not isinstance(items, list):
        return [{"non_field_errors": ["Expected a list of indicators."]}]
    errors: list[dict[str, list[str]]] = []
    for item in items:
        value = item.get("indicator") if isinstance(item, dict) else None
        kind = item.get("type") if isinstance(item, dict) else None
        guessed = otx_type(value) if isinstance(value, str) else None
        same = isinstance(kind, str) and guessed is not None and guessed.lower() == kind.lower()
        loose = kind in {"hostname", "domain"} and guessed in {"hostname", "domain"}
        errors.append(
            {}
            if same or loose
            else {"indicator": [f"Invalid indicator {value!r} for type {kind!r}."]}
        )
    return errors if any(errors) else None


def create(data: OTXDataset, request: FakeRequest) -> FakeResponse:
    """POST /pulses/create: validated like the service (400 with per-field errors), else 201."""
    body = request.json()
    if not isinstance(body, dict):
        return json_response(400, {"non_field_errors": ["Invalid JSON body."]})
    errors: dict[str, Any] = {}
    name = body.get("name")
    if not isinstance(name, str) or not 5 <= len(name.strip()) <= 64:
        errors["name"] = ["Ensure this field has between 5 and 64 characters."]
    tlp = str(body.get("TLP") or body.get("tlp") or "green").lower()
    public = bool(body.get("public", True))
    if tlp not in TLPS:
        errors["TLP"] = [f'"{tlp}" is not a valid choice.']
    elif tlp in {"amber", "red"} and public:
        errors["public"] = [f"A {tlp} pulse cannot be public."]
    indicator_errors = _indicator_errors(body.get("indicators", []))
    if indicator_errors:
        errors["indicators"] = indicator_errors
    groups = body.get("group_ids") or []
    if any(g not in data.user.get("groups", []) for g in groups):
        errors["group_ids"] = ["You are not a member of one of these groups."]
    if errors:
        return json_response(400, errors)
    pulse_id = data.add_pulse(
        name.strip(),  # type: ignore[union-attr]
        body.get("indicators", []),
        id=_new_id(data, name),  # type: ignore[arg-type]
        tlp=tlp,
        public=public,
        adversary=body.get("adversary") or "",
        malware_families=body.get("malware_families") or [],
        attack_ids=body.get("attack_ids") or [],
        tags=body.get("tags") or [],
        targeted_countries=body.get("targeted_countries") or [],
        industries=body.get("industries") or [],
        references=body.get("references") or [],
        description=body.get("description") or " ",
        author_name=data.user["username"],
        subscribed=False,
        created=datetime.now(UTC),
    )
    data.pulses[pulse_id]["groups"] = list(groups)
    return json_response(201, detail(data.pulses[pulse_id], data.user["username"]))


def _new_id(data: OTXDataset, name: str) -> str:
    return hashlib.sha256(f"{name}|{len(data.pulses)}|created".encode()).hexdigest()[:24]


def patch_pulse(data: OTXDataset, request: FakeRequest, pulse_id: str) -> FakeResponse:
    """PATCH /pulses/{id}: scalars replace; lists take {"add", "remove"}; indicators also "edit"."""
    pulse = data.pulses.get(pulse_id)
    if pulse is None:
        return detail_error(404, "Not found.")
    if pulse["author_name"] != data.user["username"]:
        return detail_error(403, "You do not have permission to perform this action.")
    body = request.json()
    if not isinstance(body, dict):
        return json_response(400, {"non_field_errors": ["Invalid JSON body."]})
    for key in ("name", "description", "adversary"):
        if isinstance(body.get(key), str):
            pulse[key] = body[key]
    if "public" in body:
        pulse["public"] = int(bool(body["public"]))
    if body.get("TLP") or body.get("tlp"):
        pulse["tlp"] = str(body.get("TLP") or body.get("tlp")).lower()
    for key in ("tags", "references", "targeted_countries", "industries", "malware_families"):
        change = body.get(key)
        if isinstance(change, dict):
            kept = [v for v in pulse[key] if v not in change.get("remove", [])]
            pulse[key] = kept + [v for v in change.get("add", []) if v not in kept]
    change = body.get("indicators")
    if isinstance(change, dict):
        problems = _indicator_errors(change.get("add", []))
        if problems:
            return json_response(400, {"indicators": problems})
        removed = {r.get("id") for r in change.get("remove", []) if isinstance(r, dict)}
        pulse["indicators"] = [i for i in pulse["indicators"] if i["id"] not in removed]
        for edit in change.get("edit", []):
            for indicator in pulse["indicators"]:
                if isinstance(edit, dict) and indicator["id"] == edit.get("id"):
                    indicator.update({k: v for k, v in edit.items() if k != "id"})
        stamp = iso(datetime.now(UTC))[:19]
        pulse["indicators"].extend(
            data._indicator(pulse_id, i, stamp) for i in change.get("add", [])
        )
    pulse["revision"] += 1
    pulse["modified"] = iso(datetime.now(UTC))
    return json_response(200, detail(pulse, data.user["username"]))


def validate(request: FakeRequest) -> FakeResponse:
    """POST /pulses/indicators/validate: ``{"status": "success"}`` or 400 with field errors."""
    body = request.json()
    if not isinstance(body, dict):
        return json_response(400, {"non_field_errors": ["Invalid JSON body."]})
    problems = _indicator_errors([body])
    if problems:
        return json_response(400, problems[0])
    payload = {"status": "success", "indicator": body["indicator"], "type": body.get("type")}
    return json_response(200, payload)


def search(data: OTXDataset, request: FakeRequest) -> FakeResponse:
    """GET /search/pulses?q=: name, description, tags, adversary, families and indicators."""
    query = request.params.get("q", "").strip().lower()

    def hit(pulse: dict[str, Any]) -> bool:
        words = [pulse["name"], pulse["description"], pulse["adversary"], *pulse["tags"]]
        words += pulse["malware_families"] + [i["indicator"] for i in pulse["indicators"]]
        return bool(query) and any(query in w.lower() for w in words)

    chosen = _newest([p for p in data.pulses.values() if p["public"] and hit(p)], None)
    extra = {"exact_match": "", "users_count": 0, "groups_count": 0}
    return paged(request, chosen, summary, default_limit=25, extra=extra)


def events(data: OTXDataset, request: FakeRequest) -> FakeResponse:
    """GET /pulses/events (``since`` or ``modified_since``), oldest first."""
    since = _since(request, "since", "modified_since")
    chosen = sorted(
        (e for e in data.events if since is None or e["created"] > since),
        key=lambda e: e["created"],
    )
    return paged(request, chosen, dict, default_limit=50)


def export(data: OTXDataset, request: FakeRequest) -> FakeResponse:
    """GET /indicators/export: indicators of subscribed pulses, filtered by ``types``, paged."""
    wanted = {t.strip().lower() for t in request.params.get("types", "").split(",") if t.strip()}
    since = _since(request, "modified_since")
    seen: dict[str, dict[str, Any]] = {}
    for pulse in _newest([p for p in data.pulses.values() if p["subscribed"]], since):
        for indicator in pulse["indicators"]:
            if wanted and indicator["type"].lower() not in wanted:
                continue
            seen.setdefault(indicator["indicator"], indicator)
    keys = ("id", "indicator", "type", "title", "description", "content")
    items = [
        {k: i[k] or (None if k in {"title", "description"} else i[k]) for k in keys}
        for i in seen.values()
    ]
    return paged(request, items, dict, default_limit=1000)
