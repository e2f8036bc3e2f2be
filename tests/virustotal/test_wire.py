"""Exact wire cases on httpx.MockTransport with the recorded fixtures of tests/fixtures/virustotal."""

from __future__ import annotations

import base64
import hashlib
import io
from collections.abc import Callable
from typing import Any

import attrs
import httpx
import pytest

import tiintel
from tiintel import models
from tiintel.virustotal import VirusTotalClient

from .conftest import BASE, KEY, load

EICAR = "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f"
API = "/api/v3"


def always(body: Any, status: int = 200) -> httpx.MockTransport:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(status, json=body)

    transport = httpx.MockTransport(handler)
    transport.seen = seen  # type: ignore[attr-defined]
    return transport


# -- every recorded fixture parses, and strict mode lists the wire keys the models leave in raw ------

FIXTURE_CALLS: list[tuple[str, Callable[[Any], Any], type[Any], list[str]]] = [
    (
        "files_eicar_275a021b.json",
        lambda vt: vt.files.get(EICAR),
        models.FileReport,
        [
            "antiy_info", "capabilities_tags", "downloadable", "exiftool", "first_seen_itw_date",
            "known_distributors", "popular_threat_classification", "trid", "type_extension", "unique_sources",
        ],
    ),
    (
        "files_clean_03583784.json",
        lambda vt: vt.files.get("03583784" + "0" * 56),
        models.FileReport,
        ["downloadable", "exiftool", "type_extension", "unique_sources"],
    ),
    (
        "urls_example_com.json",
        lambda vt: vt.urls.get("http://example.com/"),
        models.URLReport,
        [
            "html_meta", "last_http_response_content_length", "last_http_response_content_sha256",
            "last_http_response_headers", "trackers",
        ],
    ),
    (
        "domains_github_com.json",
        lambda vt: vt.domains.get("github.com"),
        models.DomainReport,
        ["last_dns_records_date", "last_https_certificate", "last_https_certificate_date", "whois_date"],
    ),
    (
        "ip_addresses_1_1_1_1.json",
        lambda vt: vt.ip_addresses.get("1.1.1.1"),
        models.IPAddressReport,
        ["last_https_certificate", "last_https_certificate_date", "whois_date"],
    ),
    ("analyses_url_completed.json", lambda vt: vt.analyses.get("u-x-1"), models.Analysis, []),
    ("analyses_file_in_progress.json", lambda vt: vt.analyses.get("f-x-1"), models.Analysis, []),
    ("analyses_file_queued.json", lambda vt: vt.analyses.get("f-x-2"), models.Analysis, []),
    ("post_files_analysis_descriptor.json", lambda vt: vt.files.rescan(EICAR), models.Analysis, []),
    ("post_urls_analyse_analysis_descriptor.json", lambda vt: vt.urls.rescan("http://example.com/"), models.Analysis, []),
    ("files_behaviour_summary.json", lambda vt: vt.files.behaviour_summary(EICAR), models.BehaviourSummary, []),
    ("post_files_votes_response.json", lambda vt: vt.votes.add(("files", EICAR), "harmless"), models.Vote, []),
    ("users_overall_quotas.json", lambda vt: vt.quotas("example_user"), models.Quotas, []),
    ("users_api_usage.json", lambda vt: vt.api_usage("example_user"), models.APIUsage, []),
]  # fmt: skip


def strict_unknown_keys(model: Any) -> list[str]:
    """Strict mode: wire attributes no model field maps (they stay reachable in ``raw`` only)."""
    raw = getattr(model, "raw", None)
    if not isinstance(model, models.VTReport) or raw is None:
        return []
    names = {field.name for field in attrs.fields(type(model))}
    return sorted(set(raw) - names - {"last_analysis_stats"})


@pytest.mark.parametrize(
    ("fixture", "call", "model", "unknown"), FIXTURE_CALLS, ids=[f[0] for f in FIXTURE_CALLS]
)
async def test_recorded_fixture_parses(
    twin: Any, fixture: str, call: Callable[[Any], Any], model: type[Any], unknown: list[str]
) -> None:
    result = await twin.run(call(twin.make(always(load(fixture)))))
    assert isinstance(result, model)
    assert strict_unknown_keys(result) == unknown


@pytest.mark.parametrize(
    "fixture",
    [
        "domains_github_com_resolutions_page.json",
        "domains_github_com_comments_page.json",
        "files_contacted_domains_with_item_error.json",
        "intelligence_search_page_envelope.json",
        "domains_github_com_siblings_empty_page.json",
    ],
)
async def test_recorded_collection_pages_parse(twin: Any, fixture: str) -> None:
    page = load(fixture)
    vt = twin.make(always(page))
    items = await twin.run(
        vt.relationships(("domains", "github.com"), "x", limit=len(page["data"]))
    )
    assert [item.id for item in items] == [obj.get("id", "") for obj in page["data"]]


# -- errors ------------------------------------------------------------------------------------------


async def test_404_is_not_found_with_the_providers_message(twin: Any) -> None:
    vt = twin.make(always(load("error_404_not_found.json"), 404))
    with pytest.raises(tiintel.NotFoundError) as info:
        await twin.run(vt.files.get("0" * 64))
    assert info.value.status_code == 404
    assert info.value.code == "NotFoundError"
    assert (
        'File "0000000000000000000000000000000000000000000000000000000000000000" not found'
        in str(info.value)
    )


@pytest.mark.parametrize(
    ("status", "body", "error"),
    [
        (401, {"error": {"code": "AuthenticationRequiredError", "message": "X-Apikey header is missing"}},
         tiintel.AuthenticationError),
        (401, {"error": {"code": "WrongCredentialsError", "message": "Wrong API key"}}, tiintel.AuthenticationError),
        (403, {"error": {"code": "ForbiddenError", "message": "You are not authorized"}},
         tiintel.PermissionDeniedError),
    ],
)  # fmt: skip
async def test_auth_errors_map(twin: Any, status: int, body: Any, error: type[Exception]) -> None:
    vt = twin.make(always(body, status))
    with pytest.raises(error) as info:
        await twin.run(vt.domains.get("example.com"))
    assert body["error"]["message"] in str(info.value)
    assert KEY not in str(info.value)


async def test_second_vote_is_a_conflict(twin: Any, wire: Any) -> None:
    wire.on(
        "POST",
        f"{API}/files/{EICAR}/votes",
        httpx.Response(200, json=load("post_files_votes_response.json")),
        httpx.Response(409, json=load("error_409_already_exists_vote.json")),
    )
    vt = twin.make(wire.transport)
    vote = await twin.run(vt.votes.add(("files", EICAR), "harmless"))
    assert vote.verdict == "harmless"
    with pytest.raises(tiintel.ConflictError, match="already voted"):
        await twin.run(vt.votes.add(("files", EICAR), "harmless"))
    assert (
        wire.seen[0].read()
        == httpx.Request("POST", "/", json=load("post_files_votes_request.json")).read()
    )


async def test_intelligence_search_403_says_premium(twin: Any) -> None:
    forbidden = {
        "error": {
            "code": "ForbiddenError",
            "message": "You are not authorized to perform the requested operation",
        }
    }
    vt = twin.make(always(forbidden, 403))
    with pytest.raises(tiintel.PermissionDeniedError, match="premium"):
        await twin.run(vt.intelligence_search("type:peexe p:5+"))


async def test_intelligence_search_params(twin: Any) -> None:
    transport = always(load("intelligence_search_page_envelope.json"))
    vt = twin.make(transport)
    iterator = vt.intelligence_search(
        "name:eicar", order="positives-", descriptors_only=True, page_size=2
    )
    first = await twin.next(iterator)
    assert first.type == "file"
    params = dict(transport.seen[0].url.params)  # type: ignore[attr-defined]
    assert params == {
        "query": "name:eicar",
        "order": "positives-",
        "descriptors_only": "true",
        "limit": "2",
    }


# -- one segment per indicator -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://evil.example/a/../../users/me?x=1#frag",
        "https://h.example/?q=%2F#/files",
        "http://x.example/a/b/c",
    ],
)
async def test_url_never_changes_the_endpoint(twin: Any, url: str) -> None:
    transport = always(load("urls_example_com.json"))
    vt = twin.make(transport)
    await twin.run(vt.urls.get(url))
    request = transport.seen[0]  # type: ignore[attr-defined]
    expected = base64.urlsafe_b64encode(url.encode()).decode().rstrip("=")
    assert request.url.raw_path.decode() == f"{API}/urls/{expected}"
    assert request.url.query == b""


async def test_url_sha256_id_is_used_as_is(twin: Any) -> None:
    transport = always(load("urls_example_com.json"))
    url_id = hashlib.sha256(b"http://example.com/").hexdigest()
    await twin.run(twin.make(transport).urls.get(url_id.upper()))
    assert transport.seen[0].url.raw_path.decode() == f"{API}/urls/{url_id}"  # type: ignore[attr-defined]


async def test_relationships_parameter_on_get(twin: Any) -> None:
    transport = always(load("files_eicar_275a021b.json"))
    await twin.run(
        twin.make(transport).files.get(EICAR, relationships=["contacted_domains", "comments"])
    )
    assert transport.seen[0].url.params["relationships"] == "contacted_domains,comments"  # type: ignore[attr-defined]


# -- quotas and the 429 probe -----------------------------------------------------------------------------


async def test_quota_probe_tells_a_day_exhaustion(twin: Any, wire: Any) -> None:
    wire.on(
        "GET",
        f"{API}/files/{EICAR}",
        httpx.Response(429, json=load("error_429_quota_exceeded.json")),
    )
    wire.on(
        "GET",
        f"{API}/users/alice/overall_quotas",
        httpx.Response(200, json=load("users_overall_quotas.json")),
    )
    vt = twin.make(wire.transport, user="alice")
    with pytest.raises(tiintel.QuotaExceededError) as info:
        await twin.run(vt.files.get(EICAR))
    assert info.value.scope == "day"
    assert wire.paths() == [f"{API}/files/{EICAR}", f"{API}/users/alice/overall_quotas"]
    assert twin.clock.sleeps == []  # a day exhaustion raises at once


async def test_quota_probe_without_user_uses_the_key_but_never_shows_it(
    twin: Any, wire: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG")
    wire.on("GET", f"{API}/users/{KEY}/overall_quotas", httpx.Response(404, json={"error": {
        "code": "NotFoundError", "message": f'User "{KEY}" not found'}}))  # fmt: skip
    vt = twin.make(wire.transport)
    with pytest.raises(tiintel.NotFoundError) as info:
        await twin.run(vt.quotas())
    assert KEY not in str(info.value)
    assert KEY not in repr(vars(info.value))
    assert KEY not in caplog.text


async def test_quotas_for_a_named_user(twin: Any, wire: Any) -> None:
    wire.on(
        "GET",
        f"{API}/users/bob/overall_quotas",
        httpx.Response(200, json=load("users_overall_quotas.json")),
    )
    quotas = await twin.run(twin.make(wire.transport, user="alice").quotas("bob"))
    assert quotas.exhausted_scope() == "day"


async def test_with_options_keeps_the_user(twin: Any, wire: Any) -> None:
    wire.on(
        "GET",
        f"{API}/users/alice/overall_quotas",
        httpx.Response(200, json=load("users_overall_quotas.json")),
    )
    vt = twin.make(wire.transport, user="alice").with_options(timeout=5.0)
    assert (await twin.run(vt.quotas())).daily.used == 500


# -- download --------------------------------------------------------------------------------------------


async def test_download_follows_the_redirect_without_the_key(
    twin: Any, wire: Any, tmp_path: Any
) -> None:
    wire.on(
        "GET",
        f"{API}/files/{EICAR}/download",
        httpx.Response(302, headers={"location": "https://storage.example/f/1?sig=abc"}),
    )
    wire.on("GET", "/f/1", httpx.Response(200, content=b"MZ" * 1000))
    dest = tmp_path / "sample.bin"
    written = await twin.run(twin.make(wire.transport).files.download(EICAR, dest))
    assert written == 2000
    assert dest.read_bytes() == b"MZ" * 1000
    assert not (tmp_path / "sample.bin.part").exists()
    storage = wire.seen[1]
    assert storage.url.host == "storage.example"
    assert "x-apikey" not in storage.headers
    assert wire.seen[0].headers["x-apikey"] == KEY


async def test_download_refuses_an_http_redirect(twin: Any, wire: Any, tmp_path: Any) -> None:
    wire.on(
        "GET",
        f"{API}/files/{EICAR}/download",
        httpx.Response(302, headers={"location": "http://storage.example/f/1"}),
    )
    with pytest.raises(tiintel.ResponseParseError, match="not https"):
        await twin.run(twin.make(wire.transport).files.download(EICAR, tmp_path / "x"))
    assert len(wire.seen) == 1


async def test_download_403_says_premium(twin: Any) -> None:
    vt = twin.make(always({"error": {"code": "ForbiddenError", "message": "not allowed"}}, 403))
    with pytest.raises(tiintel.PermissionDeniedError, match="premium"):
        await twin.run(vt.files.download(EICAR, io.BytesIO()))


def test_default_base_url_and_profile() -> None:
    vt = VirusTotalClient(KEY)
    assert vt.base_url == BASE
    assert vt.profile.key_header == "x-apikey"
    assert vt.profile.key_env == "VT_API_KEY"
    vt.close()
