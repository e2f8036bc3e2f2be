"""Injected faults are deterministic under a seed; the request log never keeps the key."""

from __future__ import annotations

import httpx
import pytest

from tiintel.testing import TEST_API_KEY, FakeOTX, FakeVirusTotal, seeded

from .conftest import OTX_BASE, VT_BASE

PATH = f"/ip_addresses/{seeded.C2_IP}"


def outcomes(fake: FakeVirusTotal, n: int = 40) -> list[str]:
    seen = []
    with httpx.Client(transport=fake, base_url=VT_BASE, headers={"x-apikey": "k"}) as client:
        for _ in range(n):
            try:
                seen.append(str(client.get(PATH).status_code))
            except httpx.ConnectError:
                seen.append("reset")
            except httpx.ReadTimeout:
                seen.append("timeout")
    return seen


def knobs() -> dict[str, float]:
    return {"fail_rate": 0.2, "reset_rate": 0.1, "timeout_rate": 0.1, "garbage_rate": 0.1}


def test_faults_repeat_under_a_seed() -> None:
    first = outcomes(FakeVirusTotal(seed=7, **knobs()))
    assert first == outcomes(FakeVirusTotal(seed=7, **knobs()))
    assert first != outcomes(FakeVirusTotal(seed=8, **knobs()))
    assert {"reset", "timeout", "200"} <= set(first)


@pytest.mark.parametrize(
    ("fake", "status", "expected"),
    [
        (FakeVirusTotal(fail_rate=1.0, fail_statuses=(503,)), 503, {"error": {"code": "TransientError", "message": "Transient error, please retry"}}),
        (FakeVirusTotal(fail_rate=1.0, fail_statuses=(504,)), 504, {"error": {"code": "DeadlineExceededError", "message": "Deadline exceeded"}}),
        (FakeOTX(fail_rate=1.0, fail_statuses=(500,)), 500, {"detail": "A server error occurred."}),
    ],
)  # fmt: skip
def test_failure_bodies(fake: FakeVirusTotal | FakeOTX, status: int, expected: dict) -> None:
    base = VT_BASE if isinstance(fake, FakeVirusTotal) else OTX_BASE
    with httpx.Client(transport=fake, base_url=base) as client:
        response = client.get("/users/me")
    assert response.status_code == status
    assert response.json() == expected


def test_garbage_is_a_200_html_page() -> None:
    with httpx.Client(transport=FakeOTX(garbage_rate=1.0), base_url=OTX_BASE) as client:
        response = client.get("/pulses/subscribed")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")


def test_invalid_rates_are_refused() -> None:
    with pytest.raises(ValueError, match="fault rates"):
        FakeVirusTotal(fail_rate=0.7, reset_rate=0.5)


def test_request_log_redacts_the_key(vt_http: httpx.Client, vt_fake: FakeVirusTotal) -> None:
    vt_http.get(f"/files/{seeded.EICAR_MD5}", params={"relationships": "comments"})
    vt_http.post("/urls", data={"url": seeded.PHISH_URL})
    with httpx.Client(transport=vt_fake, base_url=VT_BASE) as anonymous:
        anonymous.get("/domains/x.example")
    first, second, third = vt_fake.requests
    assert (first.method, first.path, first.params) == (
        "GET",
        f"/files/{seeded.EICAR_MD5}",
        {"relationships": "comments"},
    )
    assert first.headers["x-apikey"] == "REDACTED"
    assert TEST_API_KEY not in repr(vt_fake.requests)
    assert (first.had_key, third.had_key, third.status) == (True, False, 401)
    assert second.body_size > 0
    assert vt_fake.count("/files") == 1
    assert vt_fake.count(method="POST") == 1
    assert vt_fake.status_counts == {200: 2, 401: 1}
    vt_fake.reset_log()
    assert vt_fake.requests == []


async def test_async_faults_raise_httpx_errors() -> None:
    fake = FakeVirusTotal(reset_rate=1.0)
    async with httpx.AsyncClient(transport=fake, base_url=VT_BASE) as client:
        with pytest.raises(httpx.ConnectError):
            await client.get(PATH)
    assert fake.requests[0].fault == "reset"
    assert fake.requests[0].status is None
