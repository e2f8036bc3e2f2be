"""VirusTotal object lookups and relationships (full objects and descriptors, cursor paged)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from tiintel.testing._vt_data import COLLECTIONS
from tiintel.testing._vt_render import (
    PREFIX,
    error,
    not_found,
    resolution,
    vt_object,
)
from tiintel.testing._vt_render import (
    collection_page as page,
)
from tiintel.testing._vt_state import VTState
from tiintel.testing._wire import FakeRequest, FakeResponse, json_response

__all__ = ["get_object", "relationship", "render_item"]

ONE_TO_ONE = {"last_serving_ip_address", "network_location", "item", "parent", "immediate_parent"}
KNOWN_RELATIONSHIPS = {
    "file": {
        "behaviours", "bundled_files", "collections", "comments", "contacted_domains",
        "contacted_ips", "contacted_urls", "dropped_files", "execution_parents", "graphs",
        "pe_resource_children", "pe_resource_parents", "votes", "similar_files", "itw_urls",
        "itw_domains", "itw_ips", "embedded_urls", "embedded_domains", "embedded_ips",
        "compressed_parents", "email_attachments", "email_parents", "submissions",
    },
    "url": {
        "comments", "graphs", "last_serving_ip_address", "network_location", "related_comments",
        "votes", "downloaded_files", "communicating_files", "contacted_domains", "contacted_ips",
        "redirecting_urls", "redirects_to", "referrer_files", "referrer_urls", "submissions",
    },
    "domain": {
        "comments", "communicating_files", "graphs", "historical_ssl_certificates",
        "historical_whois", "immediate_parent", "parent", "referrer_files", "related_comments",
        "resolutions", "siblings", "subdomains", "votes", "downloaded_files", "urls",
    },
    "ip_address": {
        "comments", "communicating_files", "graphs", "historical_ssl_certificates",
        "historical_whois", "related_comments", "referrer_files", "resolutions", "votes",
        "downloaded_files", "urls",
    },
}  # fmt: skip


def get_object(
    state: VTState, request: FakeRequest, collection: str, object_id: str
) -> FakeResponse:
    """GET /{collection}/{id}, with the optional ``relationships=a,b`` blocks."""
    kind = COLLECTIONS[collection]
    found = state.dataset.find(kind, object_id)
    if found is None:
        return not_found(kind, object_id)
    canonical, attributes = found
    blocks = None
    wanted = [n for n in request.params.get("relationships", "").split(",") if n]
    if wanted:
        blocks = {name: _block(state, request.root, kind, canonical, name) for name in wanted}
    obj = vt_object(request.root, kind, canonical, attributes, relationships=blocks)
    return json_response(200, {"data": obj})


def _related_ids(state: VTState, kind: str, object_id: str, name: str) -> list[tuple[str, str]]:
    if name == "comments":
        return [("comment", c["id"]) for c in state.dataset.comments.get((kind, object_id), [])]
    return list(state.dataset.relationships.get((kind, object_id), {}).get(name, []))


def _block(state: VTState, root: str, kind: str, object_id: str, name: str) -> dict[str, Any]:
    base = f"{root}{PREFIX}/{kind_collection(kind)}/{quote(object_id, safe='')}"
    items = _related_ids(state, kind, object_id, name)
    links = {"self": f"{base}/relationships/{name}?limit=10", "related": f"{base}/{name}"}
    if name in ONE_TO_ONE:
        data: Any = {"type": items[0][0], "id": items[0][1]} if items else None
        return {"data": data, "links": links}
    block: dict[str, Any] = {"data": [{"type": t, "id": i} for t, i in items[:10]], "links": links}
    if len(items) > 10:
        block["meta"] = {"cursor": "bzoxMA==", "count": len(items)}
        links["next"] = f"{base}/relationships/{name}?cursor=bzoxMA%3D%3D&limit=10"
    return block


def kind_collection(kind: str) -> str:
    """The collection name (files, urls, domains, ip_addresses) of an object type."""
    return {v: k for k, v in COLLECTIONS.items()}[kind]


def render_item(state: VTState, root: str, item: tuple[str, str]) -> dict[str, Any]:
    """A related object in full, or a per-item ``error`` entry when the dataset lacks it."""
    item_kind, item_id = item
    if item_kind == "resolution":
        return resolution(root, item_id)
    if item_kind == "comment":
        for comments in state.dataset.comments.values():
            for comment in comments:
                if comment["id"] == item_id:
                    return vt_object(root, "comment", item_id, comment["attributes"])
    elif item_kind in COLLECTIONS.values():
        found = state.dataset.find(item_kind, item_id)
        if found is not None:
            return vt_object(root, item_kind, found[0], found[1])
    message = f'{item_kind} with id "{item_id}" not found'
    return {
        "type": item_kind,
        "id": item_id,
        "error": {"code": "NotFoundError", "message": message},
    }


def relationship(
    state: VTState,
    request: FakeRequest,
    collection: str,
    object_id: str,
    name: str,
    *,
    descriptors: bool,
) -> FakeResponse:
    """GET /{coll}/{id}/{rel} (full objects) or /{coll}/{id}/relationships/{rel} (descriptors)."""
    kind = COLLECTIONS[collection]
    if name not in KNOWN_RELATIONSHIPS[kind]:
        return error(400, "InvalidArgumentError", f'Invalid relationship "{name}" for {kind}')
    found = state.dataset.find(kind, object_id)
    if found is None:
        return not_found(kind, object_id)
    items = _related_ids(state, kind, found[0], name)

    def render(item: tuple[str, str]) -> dict[str, Any]:
        if descriptors:
            return {"type": item[0], "id": item[1]}
        return render_item(state, request.root, item)

    if name in ONE_TO_ONE:
        data = render(items[0]) if items else None
        return json_response(
            200, {"data": data, "links": {"self": request.root + request.raw_path}}
        )
    return page(request, items, render)
