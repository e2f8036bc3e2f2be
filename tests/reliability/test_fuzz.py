"""Fuzzing with hypothesis: indicator parsing, and the CLIENT path on mutated recorded bodies.

``tests/models/test_robustness.py`` already fuzzes every ``from_api`` directly on mutated fixtures;
here the mutated bodies travel the whole way instead: served by MockTransport, read by the transport,
decoded, unwrapped and parsed by ``vt.*.get`` / ``otx.indicators.get``. The contract is the same: a
model or ``ResponseParseError``, nothing else.
"""

from __future__ import annotations

import contextlib
import copy
import json
import random
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tiintel
from tiintel import AsyncVirusTotalClient, Indicator, IndicatorType, OTXClient, VirusTotalClient
from tiintel._core.indicators import path_segment

KEY = "k3y-FUZZ-0123456789"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
FUZZ = settings(
    derandomize=True,
    deadline=None,
    database=None,
    max_examples=60,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# -- Indicator.parse ------------------------------------------------------------------------------------

PIECES = [
    "/",
    "..",
    "../",
    "%2f",
    "%2F",
    "?",
    "#",
    "@",
    ":",
    "[",
    "]",
    "[.]",
    "(.)",
    "hxxp://",
    "https://",
    "ftp://",
    "http://",
    "example.com",
    "1.2.3.4",
    "::1",
    "%",
    "\\",
    "\x00",
    "\u202e",
    "\u00e9",
    "xn--",
    "CVE-2021-44228",
    "a" * 32,
    "f" * 40,
    "0" * 64,
    " ",
    "\n",
    "users",
    "me",
    "=cmd|",
]
hostile_text = st.one_of(
    st.text(max_size=200),
    st.lists(st.sampled_from(PIECES), max_size=12).map("".join),
    st.builds(lambda a, b: f"http://{a}/{b}", st.text(max_size=30), st.text(max_size=30)),
)


@settings(FUZZ, max_examples=600)
@given(text=hostile_text)
def test_parse_gives_an_indicator_or_invalid_indicator_error(text: str) -> None:
    try:
        ind = Indicator.parse(text)
    except tiintel.InvalidIndicatorError:
        return
    assert isinstance(ind, Indicator) and isinstance(ind.type, IndicatorType)
    if ind.type is not IndicatorType.URL:
        assert "/" not in ind.value
        assert ind.value.strip() == ind.value and ind.value
    assert "/" not in path_segment(ind.value)
    assert Indicator.parse(ind.value) == ind  # canonical values parse to themselves


@FUZZ
@given(text=hostile_text)
def test_typed_lookups_send_one_segment_or_nothing(text: str) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(404, json={"error": {"code": "NotFoundError", "message": "no"}})

    vt = VirusTotalClient(KEY, transport=httpx.MockTransport(handler), max_retries=0)
    for collection, get in (
        ("domains", vt.domains.get),
        ("ip_addresses", vt.ip_addresses.get),
        ("files", vt.files.get),
        ("urls", vt.urls.get),
    ):
        seen.clear()
        try:
            get(text)
        except tiintel.InvalidIndicatorError:
            assert seen == []
            continue
        except tiintel.NotFoundError:
            pass
        assert len(seen) == 1
        segments = seen[0].url.raw_path.decode().split("?")[0].split("/")
        assert segments[:4] == ["", "api", "v3", collection] and len(segments) == 5


# -- mutated bodies through the client ------------------------------------------------------------------


def mutate(node: Any, rng: random.Random, rate: float) -> Any:
    """Remove, null, retype or add keys anywhere in a JSON document."""
    if isinstance(node, dict):
        out: dict[str, Any] = {}
        for key, value in node.items():
            roll = rng.random()
            if roll < rate:
                continue  # removed
            if roll < 2 * rate:
                out[key] = None
            elif roll < 3 * rate:
                out[key] = rng.choice([[], {}, "x", -1, 1e308, True, "<b>", [None]])
            else:
                out[key] = mutate(value, rng, rate)
        if rng.random() < rate:
            out[f"extra_{rng.randint(0, 99)}"] = rng.choice([{"a": [1]}, "x", None])
        return out
    if isinstance(node, list):
        return [mutate(item, rng, rate) for item in node if rng.random() >= rate]
    return node


def load(relative: str) -> Any:
    return json.loads((FIXTURES / relative).read_text())


VT_CASES = [
    (
        "virustotal/files_eicar_275a021b.json",
        "files",
        "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f",
    ),
    (
        "virustotal/files_clean_03583784.json",
        "files",
        "0358378469b9de9b8fa0fd3bb4a1c4e0ab2bc3cbb3f5e4cf7f2b07e7d7cc0b1a",
    ),
    ("virustotal/urls_example_com.json", "urls", "http://example.com/"),
    ("virustotal/domains_github_com.json", "domains", "github.com"),
    ("virustotal/ip_addresses_1_1_1_1.json", "ip_addresses", "1.1.1.1"),
]
OTX_CASES = [
    ("otx/indicators_IPv4_general_one_pulse.rapid7.json", "8.8.4.4"),
    ("otx/indicators_url_general_one_pulse.rapid7.json", "http://example.com/x"),
    ("otx/indicators_domain_general_zero_pulses_whitelisted.demisto.json", "example.com"),
    ("otx/indicators_IPv4_general_attack_id_objects_whitelisted.demisto.json", "8.8.8.8"),
]


def serving(body: bytes) -> httpx.MockTransport:
    return httpx.MockTransport(lambda request: httpx.Response(200, content=body))


def exercise(model: Any) -> None:
    repr(model)
    html = getattr(model, "_repr_html_", None)
    if callable(html):
        html()


@pytest.mark.parametrize(("fixture", "collection", "value"), VT_CASES)
@FUZZ
@given(rng=st.randoms(use_true_random=False), rate=st.sampled_from((0.03, 0.1, 0.3)))
def test_vt_get_on_mutated_bodies(
    fixture: str, collection: str, value: str, rng: random.Random, rate: float
) -> None:
    body = json.dumps(mutate(copy.deepcopy(load(fixture)), rng, rate)).encode()
    with VirusTotalClient(KEY, transport=serving(body), max_retries=0) as vt:
        try:
            model = getattr(vt, collection).get(value)
        except tiintel.ResponseParseError:
            return
    exercise(model)


@pytest.mark.parametrize(("fixture", "value"), OTX_CASES)
@FUZZ
@given(rng=st.randoms(use_true_random=False), rate=st.sampled_from((0.03, 0.1, 0.3)))
def test_otx_get_on_mutated_bodies(
    fixture: str, value: str, rng: random.Random, rate: float
) -> None:
    body = json.dumps(mutate(copy.deepcopy(load(fixture)), rng, rate)).encode()
    with OTXClient(KEY, transport=serving(body), max_retries=0) as otx:
        try:
            model = otx.indicators.get(value)
        except tiintel.ResponseParseError:
            return
    exercise(model)


RAW_BODIES = [
    b"",
    b"null",
    b"[]",
    b"42",
    b'"x"',
    b"{",
    b'{"data": null}',
    b'{"data": []}',
    b'{"data": "x"}',
    b'{"data": {"type": "file"}}',
    b'{"data": {"attributes": 5}}',
    b"\xff\xfe\x00",
    b"NaN",
    b'{"data": {"type": "file", "id": "x", "attributes": {"last_analysis_stats": "many"}}}',
    b'{"pulse_info": {"pulses": [null, 1, "x"]}}',
    b'{"pulse_info": null, "validation": 3}',
    b'{"a": 1e99999}',
]


@pytest.mark.parametrize("body", RAW_BODIES)
def test_raw_hostile_bodies_give_a_model_or_parse_error(body: bytes) -> None:
    sha256 = "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f"
    vt = VirusTotalClient(KEY, transport=serving(body), max_retries=0)
    otx = OTXClient(KEY, transport=serving(body), max_retries=0)
    with vt, otx:
        with contextlib.suppress(tiintel.ResponseParseError):
            exercise(vt.files.get(sha256))
        with contextlib.suppress(tiintel.ResponseParseError):
            exercise(otx.indicators.get("8.8.4.4"))


@pytest.mark.parametrize("body", RAW_BODIES[:6])
async def test_raw_hostile_bodies_async(body: bytes) -> None:
    async with AsyncVirusTotalClient(KEY, transport=serving(body), max_retries=0) as vt:
        with contextlib.suppress(tiintel.ResponseParseError):
            exercise(await vt.domains.get("example.com"))


@pytest.mark.parametrize(("fixture", "collection", "value"), VT_CASES)
def test_unmutated_vt_bodies_give_models(fixture: str, collection: str, value: str) -> None:
    body = (FIXTURES / fixture).read_bytes()
    with VirusTotalClient(KEY, transport=serving(body), max_retries=0) as vt:
        model = getattr(vt, collection).get(value)
    assert type(model).__name__.endswith("Report")


@pytest.mark.parametrize(("fixture", "value"), OTX_CASES)
def test_unmutated_otx_bodies_give_models(fixture: str, value: str) -> None:
    with OTXClient(KEY, transport=serving((FIXTURES / fixture).read_bytes()), max_retries=0) as otx:
        assert isinstance(otx.indicators.get(value), tiintel.IndicatorDetails)
