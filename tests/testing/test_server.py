"""serve(): real loopback HTTP/1.1, concurrent keep-alive, counted connections, clean stop."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx

from tiintel.testing import TEST_API_KEY, FakeOTX, FakeVirusTotal, seeded, serve


def test_routes_and_urls() -> None:
    with (
        serve() as server,
        httpx.Client(headers={"x-apikey": TEST_API_KEY, "X-OTX-API-KEY": "k"}) as client,
    ):
        assert server.vt_url == server.url + "/api/v3"
        assert client.get(f"{server.vt_url}/files/{seeded.EICAR_MD5}").status_code == 200
        body = client.get(f"{server.otx_url}/pulses/subscribed", params={"limit": 2}).json()
        assert body["next"].startswith(server.otx_url + "/pulses/subscribed?")
        upload = client.get(f"{server.vt_url}/files/upload_url").json()["data"]
        assert upload.startswith(server.url + "/_upload/")
        assert client.get(server.url + "/elsewhere").status_code == 404


def test_connections_are_counted_and_closed() -> None:
    with serve() as server:
        with httpx.Client(headers={"x-apikey": "k"}) as client:
            client.get(f"{server.vt_url}/domains/{seeded.C2_DOMAIN}")
            client.get(f"{server.vt_url}/domains/{seeded.C2_DOMAIN}")
            assert server.open_connections == 1  # keep-alive: one connection reused
        deadline = time.monotonic() + 2
        while server.open_connections and time.monotonic() < deadline:
            time.sleep(0.01)
        assert server.open_connections == 0


def test_concurrent_keep_alive_requests_are_not_serialised() -> None:
    before = threading.active_count()
    with serve(FakeVirusTotal(latency=0.05), FakeOTX()) as server:
        limits = httpx.Limits(max_connections=50, max_keepalive_connections=50)
        with httpx.Client(headers={"x-apikey": "k"}, limits=limits) as client:
            url = f"{server.vt_url}/ip_addresses/{seeded.C2_IP}"
            started = time.monotonic()
            with ThreadPoolExecutor(max_workers=50) as pool:
                statuses = list(pool.map(lambda _: client.get(url).status_code, range(100)))
            elapsed = time.monotonic() - started
            assert server.open_connections >= 10
    assert statuses == [200] * 100
    assert elapsed < 2.5  # serialised it would take 100 * 0.05 = 5 s
    assert threading.active_count() == before  # every handler thread joined


def test_server_fault_drops_the_connection() -> None:
    with serve(FakeVirusTotal(reset_rate=1.0), FakeOTX()) as server, httpx.Client() as client:
        try:
            client.get(f"{server.vt_url}/files/{seeded.EICAR_MD5}")
        except httpx.TransportError:
            pass
        else:  # pragma: no cover - the fake must not answer
            raise AssertionError("expected a dropped connection")
        assert server.vt.requests[0].fault == "reset"


def test_stop_with_an_idle_keep_alive_connection_open() -> None:
    before = threading.active_count()
    server = serve()
    client = httpx.Client(headers={"X-OTX-API-KEY": "k"})
    client.get(f"{server.otx_url}/users/me")
    server.close()
    server.close()  # idempotent
    client.close()
    assert threading.active_count() == before


def test_chunked_upload_body() -> None:
    with serve() as server, httpx.Client(headers={"x-apikey": "k"}) as client:

        def body():  # a generator body makes httpx send Transfer-Encoding: chunked
            yield b"url=http%3A%2F%2Fchunked.example%2F"

        response = client.post(
            f"{server.vt_url}/urls",
            content=body(),
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
    assert response.status_code == 200
    assert response.json()["data"]["id"].startswith("u-")
