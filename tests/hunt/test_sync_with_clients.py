"""PulseStore against the real OTX clients on FakeOTX, and as the OTX source of correlate()."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tiintel import AsyncOTXClient, OTXClient, PulseStore, Verdict, VirusTotalClient, correlate
from tiintel.hunt import hunt
from tiintel.testing import TEST_API_KEY, FakeOTX, FakeVirusTotal, seeded


def test_sync_then_lookup_then_correlate(tmp_path: Path) -> None:
    fake = FakeOTX()
    with (
        PulseStore(tmp_path / "pulses.db") as store,
        OTXClient(TEST_API_KEY, transport=fake) as otx,
    ):
        first = store.sync(otx, page_size=3)
        assert first.pulses_new > 0 and first.watermark_after is not None
        assert store.lookup(seeded.C2_IP)
        again = store.sync(otx)
        assert again.pulses_new == 0
        assert again.watermark_before == first.watermark_after
        subscribed = [r for r in fake.requests if r.path.startswith("/pulses/subscribed")]
        assert "modified_since" in subscribed[-1].params

        with VirusTotalClient(TEST_API_KEY, transport=FakeVirusTotal()) as vt:
            before = len(fake.requests)
            results = correlate([seeded.C2_IP, "8.8.8.8"], vt=vt, otx=store)
            assert len(fake.requests) == before  # zero OTX quota
        c2, google = results
        assert c2.otx is not None and c2.otx.pulse_count >= 1 and c2.otx.whitelisted is None
        assert c2.verdict in (Verdict.MALICIOUS, Verdict.SUSPICIOUS)
        assert google.otx is not None and google.otx.whitelisted is None

        log = tmp_path / "access.log"
        log.write_text(f"GET / from {seeded.C2_IP}\nGET / from 11.{seeded.C2_IP}5\n")
        matches = list(hunt([log], store))
        assert [m.line_no for m in matches] == [1]


def test_async_sync_matches_sync(tmp_path: Path) -> None:
    with (
        PulseStore(tmp_path / "a.db") as store,
        OTXClient(TEST_API_KEY, transport=FakeOTX()) as otx,
    ):
        store.sync(otx)
        expected = store.stats()

    async def main() -> None:
        with PulseStore(tmp_path / "b.db") as store:
            async with AsyncOTXClient(TEST_API_KEY, transport=FakeOTX()) as aotx:
                await store.async_sync(aotx)
            stats = store.stats()
            assert (stats.pulses, stats.indicators) == (expected.pulses, expected.indicators)

    asyncio.run(main())


def test_unsubscribing_through_the_client_empties_the_store_on_next_sync(tmp_path: Path) -> None:
    with (
        OTXClient(TEST_API_KEY, transport=FakeOTX()) as otx,
        PulseStore(tmp_path / "p.db") as store,
    ):
        store.sync(otx)
        pulse = next(iter(store.lookup(seeded.C2_IP)))
        otx.pulses.unsubscribe(pulse.id)
        result = store.sync(otx)
        assert result.pulses_removed == 1
        assert pulse.id not in {p.id for p in store.lookup(seeded.C2_IP)}
        otx.pulses.subscribe(pulse.id)
        store.sync(otx)
        assert pulse.id in {p.id for p in store.lookup(seeded.C2_IP)}
