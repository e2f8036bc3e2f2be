"""VirusTotal submissions: file uploads, URL scans, rescans, analyses polling and downloads."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from tiintel.testing import _generate as gen
from tiintel.testing._classify import canonical_url, url_sha256
from tiintel.testing._forms import parse_form
from tiintel.testing._vt_render import error, not_found, vt_object
from tiintel.testing._vt_state import Analysis, VTState
from tiintel.testing._wire import FakeRequest, FakeResponse, json_response

__all__ = [
    "analyse_file",
    "analyse_url",
    "download",
    "get_analysis",
    "serve_storage",
    "submit_url",
    "upload",
    "upload_url",
]

EMPTY_FILE_STATS = gen.stats_block("file", {})
EMPTY_URL_STATS = gen.stats_block("network", {})


def _descriptor(request: FakeRequest, analysis_id: str) -> FakeResponse:
    obj = vt_object(request.root, "analysis", analysis_id, {})
    obj.pop("attributes")
    return json_response(200, {"data": obj})


def _file_analysis(state: VTState, sha256: str, attributes: dict[str, Any], pending: Any) -> str:
    date = state.timestamp()
    analysis_id = base64.b64encode(f"{attributes['md5']}:{date}".encode()).decode()
    info = {k: attributes.get(k) for k in ("sha256", "md5", "sha1", "size")}
    state.analyses[analysis_id] = Analysis(
        kind="file",
        target=sha256,
        date=date,
        stats=attributes["last_analysis_stats"],
        results=attributes["last_analysis_results"],
        info={"file_info": info},
        pending=pending,
    )
    return analysis_id


def upload(state: VTState, request: FakeRequest) -> FakeResponse:
    """POST /files (or an upload URL): hash the multipart ``file`` field and queue an analysis."""
    fields = parse_form(request.header("content-type"), request.body)
    part = fields.get("file")
    if part is None:
        return error(400, "BadRequestError", 'Missing multipart field "file"')
    content = part.data
    sha256 = hashlib.sha256(content).hexdigest()
    known = state.dataset.file_id(sha256)
    if known is not None:
        attributes = state.dataset.objects[("file", known)]
        return _descriptor(request, _file_analysis(state, known, attributes, None))
    seed = gen.generated_file(sha256)
    names = [part.filename] if part.filename else []
    pending: dict[str, Any] = {"content": content, "names": names}
    if names:
        pending["meaningful_name"] = names[0]
    pending.update({k: seed[k] for k in ("stats", "detection_names", "type_description")})
    preview = {
        "md5": hashlib.md5(content).hexdigest(),  # noqa: S324 - a file identifier
        "sha1": hashlib.sha1(content).hexdigest(),  # noqa: S324
        "sha256": sha256,
        "size": len(content),
        "last_analysis_stats": gen.stats_block("file", seed["stats"]),
        "last_analysis_results": gen.analysis_results(
            "file", sha256, seed["stats"], seed["detection_names"]
        ),
    }
    return _descriptor(request, _file_analysis(state, sha256, preview, pending))


def upload_url(state: VTState, request: FakeRequest) -> FakeResponse:
    """GET /files/upload_url: a one-use absolute URL on the same host."""
    token = state.token("upload")
    state.upload_tokens.add(token)
    return json_response(200, {"data": f"{request.root}/_upload/{token}"})


def use_upload_url(state: VTState, request: FakeRequest, token: str) -> FakeResponse:
    """POST to an upload URL: like POST /files, once per URL."""
    if request.method != "POST":
        return error(405, "BadRequestError", "Upload URLs accept POST only")
    if token not in state.upload_tokens:
        return error(404, "NotFoundError", "Upload URL expired or already used")
    state.upload_tokens.discard(token)
    return upload(state, request)


def analyse_file(state: VTState, request: FakeRequest, file_id: str) -> FakeResponse:
    """POST /files/{id}/analyse: a rescan, returned as a queued analysis descriptor."""
    found = state.dataset.find("file", file_id)
    if found is None:
        return not_found("file", file_id)
    return _descriptor(request, _file_analysis(state, found[0], found[1], None))


def submit_url(state: VTState, request: FakeRequest, url: str | None = None) -> FakeResponse:
    """POST /urls (form field ``url``) or POST /urls/{id}/analyse: ``u-<sha256>-<ts>``."""
    if url is None:
        field = parse_form(request.header("content-type"), request.body).get("url")
        if field is None or not field.text:
            return error(400, "BadRequestError", 'Missing form field "url"')
        url = field.text
    canonical = canonical_url(url)
    if canonical is None:
        return error(400, "InvalidArgumentError", f'Unable to canonicalize url "{url}"')
    found = state.dataset.find("url", canonical)
    assert found is not None  # a canonical URL is always found or generated
    url_id, attributes = found
    date = state.timestamp()
    analysis_id = f"u-{url_sha256(canonical)}-{date}"
    state.analyses[analysis_id] = Analysis(
        kind="url",
        target=url_id,
        date=date,
        stats=attributes["last_analysis_stats"],
        results=attributes["last_analysis_results"],
        info={"url_info": {"id": url_id, "url": canonical}},
    )
    return _descriptor(request, analysis_id)


def analyse_url(state: VTState, request: FakeRequest, url_id: str) -> FakeResponse:
    """POST /urls/{id}/analyse."""
    found = state.dataset.find("url", url_id)
    if found is None:
        return not_found("url", url_id)
    return submit_url(state, request, found[1]["url"])


def get_analysis(state: VTState, request: FakeRequest, analysis_id: str) -> FakeResponse:
    """GET /analyses/{id}: queued, then in-progress, then completed over successive polls."""
    analysis = state.analyses.get(analysis_id)
    if analysis is None:
        return error(404, "NotFoundError", f'Analysis "{analysis_id}" not found')
    analysis.polls += 1
    empty = EMPTY_FILE_STATS if analysis.kind == "file" else EMPTY_URL_STATS
    if analysis.polls >= state.analysis_polls:
        status, stats, results = "completed", analysis.stats, analysis.results
        _complete(state, analysis)
    elif analysis.polls == 1:
        status, stats, results = "queued", dict(empty), {}
    else:
        half = dict(list(analysis.results.items())[: len(analysis.results) // 2])
        stats = dict(empty)
        for entry in half.values():
            stats[entry["category"]] = stats.get(entry["category"], 0) + 1
        status, results = "in-progress", half
    attributes = {"date": analysis.date, "status": status, "stats": stats, "results": results}
    obj = vt_object(request.root, "analysis", analysis_id, attributes)
    return json_response(200, {"data": obj, "meta": analysis.info})


def _complete(state: VTState, analysis: Analysis) -> None:
    if analysis.pending is None:
        return
    pending, analysis.pending = analysis.pending, None
    content = pending.pop("content")
    state.dataset.add_file(content, last_analysis_date=analysis.date, **pending)


def download(state: VTState, request: FakeRequest, file_id: str, *, as_url: bool) -> FakeResponse:
    """Premium GET /files/{id}/download (302 to storage) or /download_url (``{"data": url}``)."""
    if not state.premium:
        return error(
            403, "ForbiddenError", "You are not authorized to perform the requested operation"
        )
    found = state.dataset.find("file", file_id)
    if found is None:
        return not_found("file", file_id)
    if found[0] not in state.dataset.contents:
        return error(404, "NotFoundError", f'File content for "{file_id}" is not available')
    token = state.token("download")
    state.download_tokens[token] = found[0]
    location = f"{request.storage_root}/_storage/{token}"
    if as_url:
        return json_response(200, {"data": location})
    return FakeResponse(302, b"", {"location": location, "content-length": "0"})


def serve_storage(state: VTState, request: FakeRequest, token: str) -> FakeResponse:
    """GET on the storage host: the file bytes, no key needed (the URL itself is the secret)."""
    sha256 = state.download_tokens.get(token)
    if sha256 is None or request.method != "GET":
        return FakeResponse(404, b"Not Found", {"content-type": "text/plain"})
    body = state.dataset.contents[sha256]
    return FakeResponse(200, body, {"content-type": "application/octet-stream"})
