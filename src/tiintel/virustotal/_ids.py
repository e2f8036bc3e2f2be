"""Object ids and paths, checked before anything is sent (pure).

Every typed lookup goes through here: a value that is not the kind of indicator the endpoint
expects raises ``InvalidIndicatorError`` and no request leaves the process.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, Final, TypeAlias

from .._core.indicators import IndicatorType, parse_as, vt_url_identifier
from .._exceptions import InvalidIndicatorError, ResponseParseError
from .._types import JSON
from ..models.virustotal import (
    Analysis,
    DomainReport,
    FileReport,
    IPAddressReport,
    URLReport,
    VTObject,
    VTReport,
)

ObjectRef: TypeAlias = "VTReport | VTObject | Analysis | tuple[str, str] | str"
"""A VirusTotal object: a report or object model, a ``(collection, id)`` pair, or ``"collection/id"``."""

_NAME = re.compile(r"[a-z][a-z0-9_]*")

_HASHES: Final = (IndicatorType.MD5, IndicatorType.SHA1, IndicatorType.SHA256)
_REPORT_COLLECTIONS: Final[Mapping[type[Any], str]] = {
    FileReport: "files",
    URLReport: "urls",
    DomainReport: "domains",
    IPAddressReport: "ip_addresses",
}
_COLLECTION_OF_TYPE: Final[Mapping[str, str]] = {
    "file": "files",
    "url": "urls",
    "domain": "domains",
    "ip_address": "ip_addresses",
    "analysis": "analyses",
    "comment": "comments",
    "collection": "collections",
    "graph": "graphs",
    "user": "users",
    "group": "groups",
    "reference": "references",
    "threat_actor": "threat_actors",
    "file_behaviour": "file_behaviours",
}
COLLECTIONS: Final = frozenset(_COLLECTION_OF_TYPE.values())
"""The object collections ``obj_or_path`` may name."""


def file_id(value: str) -> str:
    """The md5, sha1 or sha256 in ``value`` (lower-case); InvalidIndicatorError otherwise."""
    return parse_as(value, _HASHES, "a file hash (md5, sha1 or sha256)").value


def domain_id(value: str) -> str:
    """The normalised domain in ``value``; InvalidIndicatorError otherwise."""
    return parse_as(value, (IndicatorType.DOMAIN,), "a domain name").value


def ip_id(value: str) -> str:
    """The normalised IPv4 or IPv6 address in ``value``; InvalidIndicatorError otherwise."""
    return parse_as(value, (IndicatorType.IPV4, IndicatorType.IPV6), "an IP address").value


def url_value(value: str) -> str:
    """The normalised (refanged) URL in ``value``; InvalidIndicatorError otherwise."""
    return parse_as(value, (IndicatorType.URL,), "a URL").value


def url_id(value: str) -> str:
    """The VirusTotal id of a URL given as a URL, its url-safe base64 id, or its sha256 id.

    A 64-hex sha256 id and an unpadded url-safe base64 id are used as they are; anything else
    must parse as a URL, whose id is computed (so ``/``, ``?`` and ``#`` never reach the path).
    """
    return vt_url_identifier(value)


def relationship_name(name: str) -> str:
    """A relationship name such as ``contacted_domains``; InvalidIndicatorError otherwise."""
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise InvalidIndicatorError(
            f"not a VirusTotal relationship name: {name!r} (e.g. 'contacted_domains')",
            value=str(name),
        )
    return name


def relationships_param(relationships: str | Sequence[str] | None) -> dict[str, str]:
    """The ``relationships=a,b`` query parameter of a GET (empty when None)."""
    if relationships is None:
        return {}
    names = [relationships] if isinstance(relationships, str) else list(relationships)
    return {"relationships": ",".join(relationship_name(n) for n in names)}


_CHECKS: Final = {"files": file_id, "urls": url_id, "domains": domain_id, "ip_addresses": ip_id}


def object_path(obj: ObjectRef) -> tuple[str, str]:
    """``(collection, id)`` of a VirusTotal object reference, checked like a typed lookup."""
    collection: str | None
    if isinstance(obj, VTReport):
        collection = _COLLECTION_OF_TYPE.get(obj.type or "") or _REPORT_COLLECTIONS.get(type(obj))
        object_id = obj.id
    elif isinstance(obj, VTObject):
        collection, object_id = _COLLECTION_OF_TYPE.get(obj.type or ""), obj.id
    elif isinstance(obj, Analysis):
        collection, object_id = "analyses", obj.id
    elif isinstance(obj, tuple) and len(obj) == 2 and all(isinstance(p, str) for p in obj):
        collection, object_id = obj
    elif isinstance(obj, str) and "/" in obj:
        collection, _, object_id = obj.strip().partition("/")
    else:
        raise InvalidIndicatorError(
            f"expected a report, a (collection, id) pair or 'collection/id', got {obj!r}"
        )
    if collection not in COLLECTIONS or not object_id:
        raise InvalidIndicatorError(
            f"not a VirusTotal object path: {collection!r}/{object_id!r}", value=str(object_id)
        )
    check = _CHECKS.get(collection)
    return collection, check(object_id) if check else object_id


def data_of(payload: JSON, what: str) -> Mapping[str, Any]:
    """The ``data`` object of a response; ResponseParseError when it is not one."""
    data = payload.get("data") if isinstance(payload, Mapping) else None
    if not isinstance(data, Mapping):
        raise ResponseParseError(f"VirusTotal {what} has no 'data' object", provider="virustotal")
    return data


def data_string(payload: JSON, what: str) -> str:
    """The ``data`` string of a response (upload URLs); ResponseParseError otherwise."""
    data = payload.get("data") if isinstance(payload, Mapping) else None
    if not isinstance(data, str) or not data:
        raise ResponseParseError(f"VirusTotal {what} has no 'data' string", provider="virustotal")
    return data


def related_object(item: Any) -> VTObject:
    """A collection item as a VTObject; a per-item error becomes a placeholder with ``error`` set."""
    if isinstance(item, Mapping) and "error" in item and not item.get("id"):
        item = {**item, "id": ""}
    return VTObject.from_api(item)


def relationship_path(obj_or_path: ObjectRef, name: str, descriptors_only: bool) -> tuple[str, ...]:
    """``/{collection}/{id}/{name}``, or ``/{collection}/{id}/relationships/{name}`` for descriptors."""
    collection, object_id = object_path(obj_or_path)
    name = relationship_name(name)
    if descriptors_only:
        return (collection, object_id, "relationships", name)
    return (collection, object_id, name)
