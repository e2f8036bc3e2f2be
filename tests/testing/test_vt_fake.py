"""FakeVirusTotal answers like VirusTotal API v3: envelopes, errors, cursors, submissions."""

from __future__ import annotations

import base64
import hashlib
from urllib.parse import quote

import httpx
import pytest

from tiintel.testing import INVALID_API_KEY, TEST_API_KEY, FakeVirusTotal, seeded

from .conftest import VT_BASE


def b64_id(url: str) -> str:
    return base64.urlsafe_b64encode(url.encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    ("headers", "status", "code"),
    [
        ({}, 401, "AuthenticationRequiredError"),
        ({"x-apikey": ""}, 401, "AuthenticationRequiredError"),
        ({"X-Apikey": INVALID_API_KEY}, 401, "WrongCredentialsError"),
        ({"X-APIKEY": TEST_API_KEY}, 200, None),
        ({"x-apikey": "any-other-key"}, 200, None),
    ],
)
def test_auth(
    vt_fake: FakeVirusTotal, headers: dict[str, str], status: int, code: str | None
) -> None:
    with httpx.Client(transport=vt_fake, base_url=VT_BASE, headers=headers) as client:
        response = client.get(f"/files/{seeded.EICAR_SHA256}")
    assert response.status_code == status
    if code:
        assert response.json()["error"]["code"] == code


@pytest.mark.parametrize(
    "value", [seeded.EICAR_MD5, seeded.EICAR_SHA1, seeded.EICAR_SHA256.upper()]
)
def test_any_hash_form_finds_the_same_file(vt_http: httpx.Client, value: str) -> None:
    data = vt_http.get(f"/files/{value}").json()["data"]
    assert data["type"] == "file"
    assert data["id"] == seeded.EICAR_SHA256
    assert data["links"]["self"] == f"{VT_BASE}/files/{seeded.EICAR_SHA256}"
    attributes = data["attributes"]
    assert attributes["md5"] == seeded.EICAR_MD5
    assert attributes["last_analysis_stats"]["malicious"] == 60
    results = attributes["last_analysis_results"]
    assert len(results) == sum(attributes["last_analysis_stats"].values()) == 73
    assert sum(r["category"] == "malicious" for r in results.values()) == 60


@pytest.mark.parametrize(
    ("value", "status"),
    [
        ("0" + "a" * 63, 200),
        ("7" + "b" * 39, 200),
        ("8" + "c" * 31, 404),
        ("f" * 64, 404),
        ("not-a-hash", 404),
        (seeded.LOADER_SHA256, 200),  # seeded even though it starts with "e"
    ],
)
def test_the_404_rule(vt_http: httpx.Client, value: str, status: int) -> None:
    response = vt_http.get(f"/files/{value}")
    assert response.status_code == status
    if status == 404:
        assert response.json() == {
            "error": {"code": "NotFoundError", "message": f'File "{value}" not found'}
        }


def test_generated_data_is_deterministic() -> None:
    first, second = FakeVirusTotal(), FakeVirusTotal()
    for path in ("/files/" + "3" * 64, "/domains/random-name.test", "/ip_addresses/9.9.9.9"):
        bodies = []
        for fake in (first, second):
            with httpx.Client(transport=fake, headers={"x-apikey": "k"}) as client:
                bodies.append(client.get(VT_BASE + path).json())
        assert bodies[0] == bodies[1]


def test_generated_file_is_found_by_its_other_hash_forms(vt_http: httpx.Client) -> None:
    attributes = vt_http.get("/files/" + "2" * 32).json()["data"]["attributes"]
    for name in ("sha1", "sha256"):
        assert (
            vt_http.get(f"/files/{attributes[name]}").json()["data"]["id"] == attributes["sha256"]
        )


@pytest.mark.parametrize(
    "identifier",
    [b64_id(seeded.PHISH_URL), hashlib.sha256(seeded.PHISH_URL.encode()).hexdigest()],
)
def test_url_ids(vt_http: httpx.Client, identifier: str) -> None:
    data = vt_http.get(f"/urls/{identifier}").json()["data"]
    assert data["id"] == hashlib.sha256(seeded.PHISH_URL.encode()).hexdigest()
    assert data["attributes"]["url"] == seeded.PHISH_URL


def test_unknown_sha256_url_id_is_404(vt_http: httpx.Client) -> None:
    assert vt_http.get("/urls/" + "ab" * 32).status_code == 404


def test_relationships_param_adds_blocks(vt_http: httpx.Client) -> None:
    params = {"relationships": "last_serving_ip_address,comments"}
    data = vt_http.get(f"/urls/{b64_id(seeded.PHISH_URL)}", params=params).json()["data"]
    block = data["relationships"]["last_serving_ip_address"]
    assert block["data"] == {"type": "ip_address", "id": seeded.PHISH_IP}
    assert block["links"]["related"].endswith("/last_serving_ip_address")
    assert data["relationships"]["comments"]["data"] == []


def test_pagination_three_pages_then_nothing(vt_http: httpx.Client) -> None:
    url = f"/domains/{seeded.C2_DOMAIN}/resolutions?limit=10"
    sizes, pages = [], 0
    while url:
        body = vt_http.get(url).json()
        pages += 1
        sizes.append(len(body["data"]))
        url = body["links"].get("next")
        if url:
            assert f"cursor={quote(body['meta']['cursor'], safe='')}" in url
        else:
            assert "meta" not in body
    assert sizes == [10, 10, 5]
    assert pages == 3


def test_empty_relationship_page(vt_http: httpx.Client) -> None:
    body = vt_http.get(f"/domains/{seeded.C2_DOMAIN}/siblings").json()
    assert body == {
        "data": [],
        "links": {"self": f"{VT_BASE}/domains/{seeded.C2_DOMAIN}/siblings?limit=10"},
    }


def test_bad_cursor_is_400(vt_http: httpx.Client) -> None:
    response = vt_http.get(f"/domains/{seeded.C2_DOMAIN}/resolutions", params={"cursor": "%%%"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "InvalidArgumentError"


def test_full_objects_vs_descriptors_and_item_errors(vt_http: httpx.Client) -> None:
    full = vt_http.get(f"/files/{seeded.LOADER_SHA256}/execution_parents").json()["data"]
    assert full[0]["attributes"]["md5"] == seeded.EICAR_MD5
    assert full[1]["error"]["code"] == "NotFoundError"
    assert "attributes" not in full[1]
    path = f"/files/{seeded.LOADER_SHA256}/relationships/execution_parents"
    descriptors = vt_http.get(path).json()["data"]
    assert descriptors == [{"type": d["type"], "id": d["id"]} for d in full]


def test_unknown_relationship_is_400(vt_http: httpx.Client) -> None:
    assert vt_http.get(f"/files/{seeded.EICAR_SHA256}/no_such_rel").status_code == 400


def _poll(client: httpx.Client, analysis_id: str) -> dict:
    return client.get(f"/analyses/{analysis_id}").json()


def test_upload_flow_states(vt_http: httpx.Client) -> None:
    content = b"never seen before by the fake " * 3
    sha256 = hashlib.sha256(content).hexdigest()
    posted = vt_http.post("/files", files={"file": ("new.bin", content)}).json()["data"]
    assert posted["type"] == "analysis"
    states = [_poll(vt_http, posted["id"]) for _ in range(3)]
    assert [s["data"]["attributes"]["status"] for s in states] == [
        "queued",
        "in-progress",
        "completed",
    ]
    assert states[0]["data"]["attributes"]["results"] == {}
    assert states[2]["meta"]["file_info"]["sha256"] == sha256
    report = vt_http.get(f"/files/{sha256}").json()["data"]["attributes"]
    assert report["size"] == len(content)
    assert report["names"] == ["new.bin"]


def test_upload_url_is_absolute_and_single_use(
    vt_http: httpx.Client, vt_fake: FakeVirusTotal
) -> None:
    upload_url = vt_http.get("/files/upload_url").json()["data"]
    assert upload_url.startswith("https://www.virustotal.com/_upload/")
    with httpx.Client(transport=vt_fake) as bare:  # no key: the URL itself is the credential
        first = bare.post(upload_url, files={"file": ("a", b"x")})
        second = bare.post(upload_url, files={"file": ("a", b"x")})
    assert first.status_code == 200
    assert second.status_code == 404


def test_missing_file_field_is_400(vt_http: httpx.Client) -> None:
    assert vt_http.post("/files", data={"other": "x"}).status_code == 400


def test_rescan_and_url_submission(vt_http: httpx.Client) -> None:
    rescan = vt_http.post(f"/files/{seeded.EICAR_SHA256}/analyse").json()["data"]
    assert _poll(vt_http, rescan["id"])["data"]["attributes"]["status"] == "queued"
    submitted = vt_http.post("/urls", data={"url": seeded.PHISH_URL}).json()["data"]
    url_sha = hashlib.sha256(seeded.PHISH_URL.encode()).hexdigest()
    assert submitted["id"].startswith(f"u-{url_sha}-")
    again = vt_http.post(f"/urls/{url_sha}/analyse").json()["data"]
    assert again["id"].startswith(f"u-{url_sha}-")
    assert _poll(vt_http, again["id"])["meta"]["url_info"]["url"] == seeded.PHISH_URL


def test_second_vote_by_same_key_is_409(vt_http: httpx.Client) -> None:
    body = {"data": {"type": "vote", "attributes": {"verdict": "malicious"}}}
    path = f"/domains/{seeded.PHISH_DOMAIN}/votes"
    assert vt_http.post(path, json=body).status_code == 200
    second = vt_http.post(path, json=body)
    assert second.status_code == 409
    assert second.json()["error"]["code"] == "AlreadyExistsError"
    assert len(vt_http.get(path).json()["data"]) == 1


def test_comments_round_trip(vt_http: httpx.Client) -> None:
    path = f"/ip_addresses/{seeded.C2_IP}/comments"
    body = {"data": {"type": "comment", "attributes": {"text": "seen in #incident 42"}}}
    created = vt_http.post(path, json=body).json()["data"]
    assert created["attributes"]["tags"] == ["incident"]
    listed = vt_http.get(path).json()["data"]
    assert listed[0]["id"] == created["id"]
    assert len(listed) == 2


def test_behaviour_summary_has_no_type_or_id(vt_http: httpx.Client) -> None:
    data = vt_http.get(f"/files/{seeded.LOADER_SHA256}/behaviour_summary").json()["data"]
    assert "type" not in data
    assert "Global\\BadCorpLoaderMutex" in data["mutexes_created"]


@pytest.mark.parametrize(
    "path", ["/intelligence/search?query=p:5%2B", f"/files/{seeded.EICAR_SHA256}/download"]
)
def test_premium_endpoints_are_forbidden_by_default(vt_http: httpx.Client, path: str) -> None:
    response = vt_http.get(path)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "ForbiddenError"


def test_premium_download_redirects_to_storage_without_key() -> None:
    fake = FakeVirusTotal(premium=True)
    with httpx.Client(
        transport=fake, base_url=VT_BASE, headers={"x-apikey": TEST_API_KEY}
    ) as client:
        redirect = client.get(f"/files/{seeded.EICAR_MD5}/download")
        assert redirect.status_code == 302
        location = redirect.headers["location"]
        assert location.startswith("https://storage.fake-vt.invalid/")
    with httpx.Client(transport=fake) as bare:
        content = bare.get(location).content
    assert hashlib.sha256(content).hexdigest() == seeded.EICAR_SHA256
    assert [r.had_key for r in fake.storage_requests] == [False]


def test_intelligence_search_with_premium() -> None:
    fake = FakeVirusTotal(premium=True)
    with httpx.Client(transport=fake, base_url=VT_BASE, headers={"x-apikey": "k"}) as client:
        body = client.get("/intelligence/search", params={"query": "p:40+"}).json()
    ids = {item["id"] for item in body["data"]}
    assert {seeded.EICAR_SHA256, seeded.LOADER_SHA256} <= ids
    assert body["meta"]["total_hits"] == len(ids)


def test_search(vt_http: httpx.Client) -> None:
    assert (
        vt_http.get("/search", params={"query": seeded.PHISH_IP}).json()["data"][0]["id"]
        == seeded.PHISH_IP
    )
    tagged = vt_http.get("/search", params={"query": "#eicar"}).json()["data"]
    assert tagged[0]["type"] == "comment"


def test_rate_limit_429_without_retry_after_and_free_endpoints() -> None:
    now = [0.0]
    fake = FakeVirusTotal(rate_limits=[(4, 60.0), (10, 3600.0)], clock=lambda: now[0])
    with httpx.Client(transport=fake, base_url=VT_BASE, headers={"x-apikey": "k"}) as client:
        statuses = [client.get(f"/ip_addresses/{seeded.C2_IP}").status_code for _ in range(5)]
        assert statuses == [200, 200, 200, 200, 429]
        refused = client.get(f"/domains/{seeded.C2_DOMAIN}")
        assert refused.json() == {
            "error": {"code": "QuotaExceededError", "message": "Quota exceeded"}
        }
        assert "retry-after" not in refused.headers
        quotas = client.get("/users/k/overall_quotas").json()["data"]
        assert quotas["api_requests_hourly"]["user"] == {"allowed": 10, "used": 4}
        assert client.get("/files/upload_url").status_code == 200
        now[0] = 61.0
        assert client.get(f"/domains/{seeded.C2_DOMAIN}").status_code == 200
    assert fake.status_counts[429] == 2
    with httpx.Client(transport=fake, base_url=VT_BASE, headers={"x-apikey": "other"}) as other:
        assert other.get(f"/ip_addresses/{seeded.C2_IP}").status_code == 200  # quotas are per key


async def test_async_clients_work_too(vt_fake: FakeVirusTotal) -> None:
    headers = {"x-apikey": TEST_API_KEY}
    async with httpx.AsyncClient(transport=vt_fake, base_url=VT_BASE, headers=headers) as client:
        response = await client.get(f"/domains/{seeded.HARMLESS_DOMAIN}")
    assert response.json()["data"]["attributes"]["last_analysis_stats"]["malicious"] == 0
