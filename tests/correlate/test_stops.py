"""What a batch learns about a provider: when it stops asking, and the one-at-a-time first answer."""

from __future__ import annotations

import asyncio
import threading

import pytest

import tiintel
from tiintel._batch import Stops


def unreachable() -> tiintel.APIConnectionError:
    return tiintel.APIConnectionError("no such host", provider="virustotal", reached_server=False)


def rejected() -> tiintel.AuthenticationError:
    return tiintel.AuthenticationError("wrong key", status_code=401, provider="virustotal")


@pytest.mark.parametrize(
    ("errors", "stopped"),
    [
        ([unreachable()], tiintel.APIConnectionError),
        ([rejected()], tiintel.AuthenticationError),
        (
            [tiintel.QuotaExceededError("day", scope="day", provider="virustotal")],
            tiintel.QuotaExceededError,
        ),
        ([tiintel.QuotaExceededError("minute", scope="minute", provider="virustotal")], None),
        ([tiintel.ServerError("503", status_code=503, provider="virustotal"), unreachable()], None),
        ([tiintel.APIConnectionError("reset", provider="virustotal")], None),
    ],
)
def test_which_failures_stop_a_provider(
    errors: list[tiintel.TiIntelError], stopped: type | None
) -> None:
    stops = Stops()
    for error in errors:
        stops.note("virustotal", error)
    skipped = stops.skipped("virustotal")
    if stopped is None:
        assert skipped is None  # a provider that answered (even a 503) is asked through outages
    else:
        assert isinstance(skipped, stopped)
        assert str(skipped).startswith("not sent:")
    assert stops.skipped("otx") is None


def test_an_answer_first_keeps_an_unreachable_provider_going() -> None:
    stops = Stops()
    stops.answered("virustotal")
    stops.note("virustotal", unreachable())
    assert stops.skipped("virustotal") is None


def test_first_answer_lets_one_thread_through_until_the_provider_answers() -> None:
    stops = Stops()
    inside: list[str] = []
    probe_in, let_go = threading.Event(), threading.Event()

    def probe() -> None:
        with stops.first_answer("virustotal"):
            inside.append("probe")
            probe_in.set()
            let_go.wait(5)
            stops.answered("virustotal")

    def follower(name: str) -> None:
        with stops.first_answer("virustotal"):
            inside.append(name)

    first = threading.Thread(target=probe)
    first.start()
    probe_in.wait(5)
    others = [threading.Thread(target=follower, args=(f"f{i}",)) for i in range(3)]
    for thread in others:
        thread.start()
    for thread in others:
        thread.join(0.05)
    assert inside == ["probe"]  # the others wait for the first answer
    let_go.set()
    for thread in [first, *others]:
        thread.join(5)
    assert sorted(inside) == ["f0", "f1", "f2", "probe"]
    with stops.first_answer("virustotal"):  # answered: no lock any more
        assert not stops._probes["virustotal"].locked()


async def test_first_answer_lets_one_task_through_until_the_provider_answers() -> None:
    stops = Stops(asyncio.Lock)
    inside: list[str] = []
    let_go = asyncio.Event()

    async def probe() -> None:
        async with stops.afirst_answer("otx"):
            inside.append("probe")
            await let_go.wait()
            stops.answered("otx")

    async def follower(name: str) -> None:
        async with stops.afirst_answer("otx"):
            inside.append(name)

    tasks = [asyncio.create_task(probe())]
    await asyncio.sleep(0)
    tasks += [asyncio.create_task(follower(f"f{i}")) for i in range(3)]
    for _ in range(5):
        await asyncio.sleep(0)
    assert inside == ["probe"]
    let_go.set()
    await asyncio.gather(*tasks)
    assert sorted(inside) == ["f0", "f1", "f2", "probe"]
