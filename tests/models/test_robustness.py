"""Robustness of ``from_api`` on mutated fixtures, and the drift check of the fixtures' keys.

Contract: whatever the payload (fields removed, nulled, of the wrong type, extra keys, at any
depth), ``from_api`` returns a model or raises ``ResponseParseError``; never TypeError,
AttributeError, KeyError or ValueError. The built model must then render (repr, to_dict as
JSON, HTML) without error too.

Drift: ``known_keys.json`` is a snapshot of the key paths seen in every fixture. When a
re-recorded fixture brings a new wire field, the diff shows up here for review; run with
``TIINTEL_UPDATE_SNAPSHOT=1`` to rewrite the snapshot.
"""

from __future__ import annotations

import copy
import json
import os
import random
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tiintel._exceptions import ResponseParseError
from tiintel.models import (
    Analysis,
    APIUsage,
    BehaviourSummary,
    Comment,
    DomainReport,
    ExportedIndicator,
    FileReport,
    GeoDetails,
    IndicatorDetails,
    IPAddressReport,
    MalwareSamples,
    PassiveDNS,
    Pulse,
    PulseEvent,
    PulseIndicator,
    Quotas,
    URLList,
    URLReport,
    User,
    Vote,
    VTObject,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SNAPSHOT = Path(__file__).resolve().parent / "known_keys.json"


def _data(doc: Any) -> Any:
    return doc.get("data") if isinstance(doc, dict) else doc


def _items(doc: Any, key: str) -> list[Any]:
    """The items of a page; a page that is not a list is passed on whole (it must be rejected)."""
    items = doc.get(key) if isinstance(doc, dict) else doc
    return items if isinstance(items, list) else [items]


def _each(build: Callable[[Any], Any], key: str = "results") -> Callable[[Any], list[Any]]:
    return lambda doc: [build(item) for item in _items(doc, key)]


def _vt_objects(doc: Any) -> list[Any]:
    return [VTObject.from_api(item).as_report() for item in _items(doc, "data")]


# fixture -> how a client turns the whole body into models
CASES: dict[str, Callable[[Any], Any]] = {
    "virustotal/files_eicar_275a021b.json": lambda d: FileReport.from_api(_data(d)),
    "virustotal/files_clean_03583784.json": lambda d: FileReport.from_api(_data(d)),
    "virustotal/urls_example_com.json": lambda d: URLReport.from_api(_data(d)),
    "virustotal/domains_github_com.json": lambda d: DomainReport.from_api(_data(d)),
    "virustotal/ip_addresses_1_1_1_1.json": lambda d: IPAddressReport.from_api(_data(d)),
    "virustotal/analyses_url_completed.json": lambda d: Analysis.from_api(
        _data(d), d.get("meta") if isinstance(d, dict) else None
    ),
    "virustotal/analyses_file_in_progress.json": lambda d: Analysis.from_api(_data(d)),
    "virustotal/analyses_file_queued.json": lambda d: Analysis.from_api(
        _data(d), d.get("meta") if isinstance(d, dict) else None
    ),
    "virustotal/post_files_analysis_descriptor.json": lambda d: Analysis.from_descriptor(_data(d)),
    "virustotal/post_urls_analyse_analysis_descriptor.json": lambda d: Analysis.from_descriptor(
        _data(d)
    ),
    "virustotal/domains_github_com_comments_page.json": _each(Comment.from_api, "data"),
    "virustotal/domains_github_com_resolutions_page.json": _vt_objects,
    "virustotal/domains_github_com_siblings_empty_page.json": _vt_objects,
    "virustotal/intelligence_search_page_envelope.json": _vt_objects,
    "virustotal/files_contacted_domains_with_item_error.json": _vt_objects,
    "virustotal/post_files_votes_response.json": lambda d: Vote.from_api(_data(d)),
    "virustotal/files_behaviour_summary.json": lambda d: BehaviourSummary.from_api(_data(d)),
    "virustotal/users_overall_quotas.json": lambda d: Quotas.from_api(_data(d)),
    "virustotal/users_api_usage.json": lambda d: APIUsage.from_api(_data(d)),
    "otx/indicators_IPv4_general_one_pulse.rapid7.json": IndicatorDetails.from_api,
    "otx/indicators_IPv4_general_attack_id_objects_whitelisted.demisto.json": IndicatorDetails.from_api,
    "otx/indicators_IPv4_general_zero_pulses.demisto.json": IndicatorDetails.from_api,
    "otx/indicators_domain_general_zero_pulses_whitelisted.demisto.json": IndicatorDetails.from_api,
    "otx/indicators_file_general_sha1_zero_pulses.demisto.json": IndicatorDetails.from_api,
    "otx/indicators_url_general_one_pulse.rapid7.json": IndicatorDetails.from_api,
    "otx/indicators_IPv4_geo.json": GeoDetails.from_api,
    "otx/indicators_hostname_passive_dns.rapid7.json": PassiveDNS.from_api,
    "otx/indicators_IPv4_url_list.demisto.json": URLList.from_api,
    "otx/indicators_IPv4_malware.demisto.json": MalwareSamples.from_api,
    "otx/pulses_id_details.json": Pulse.from_api,
    "otx/pulses_subscribed_page1_with_next.json": _each(Pulse.from_api),
    "otx/pulses_subscribed_page2_last.json": _each(Pulse.from_api),
    "otx/search_pulses.json": _each(Pulse.from_api),
    "otx/pulses_id_indicators_page.json": _each(PulseIndicator.from_api),
    "otx/pulses_events.json": _each(PulseEvent.from_api),
    "otx/indicators_export_page1.json": _each(ExportedIndicator.from_api),
    "otx/users_me.json": User.from_api,
}

# Values a field may turn into: JSON of every other type, edge numbers, bad dates.
WRONG_VALUES: tuple[Any, ...] = (
    None,
    True,
    False,
    0,
    1,
    -1,
    2**70,
    -(2**70),
    1.5,
    float("nan"),
    float("inf"),
    "",
    "x",
    "2024-02-30T25:61:00",
    "9999-12-31T23:59:59-23:59",
    [],
    [None],
    [{}],
    ["x", 1],
    {},
    {"id": None},
    {"": []},
)


def load(relative: str) -> Any:
    return json.loads((FIXTURES / relative).read_text(encoding="utf-8"))


def mutate(value: Any, rng: random.Random, rate: float) -> Any:
    """A copy of ``value`` where, at any depth, keys vanish, values turn null or wrong, keys appear."""
    if rng.random() < rate:
        return copy.deepcopy(rng.choice(WRONG_VALUES))
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if rng.random() < rate:
                continue  # removed
            out[key] = mutate(item, rng, rate)
        if rng.random() < rate:
            out[rng.choice(("extra", "id", "type", "attributes", "TLP", "zz"))] = rng.choice(
                WRONG_VALUES
            )
        return out
    if isinstance(value, list):
        return [mutate(item, rng, rate) for item in value if rng.random() >= rate]
    return value


def exercise(model: Any) -> None:
    """Touch everything a user would: lazy maps, repr, to_dict as JSON, HTML."""
    if isinstance(model, list):
        for item in model:
            exercise(item)
        return
    for name in ("last_analysis_results", "results"):
        results = getattr(model, name, None)
        if isinstance(results, Mapping):
            for engine in results.values():
                repr(engine)
    repr(model)
    json.dumps(model.to_dict())
    if hasattr(model, "_repr_html_"):
        model._repr_html_()


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_fixture_parses_and_renders(name: str) -> None:
    exercise(CASES[name](load(name)))


@pytest.mark.parametrize("name", sorted(CASES))
@settings(
    derandomize=True,
    deadline=None,
    database=None,
    max_examples=25,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(rng=st.randoms(use_true_random=False), rate=st.sampled_from((0.02, 0.1, 0.3)))
def test_mutated_payload_gives_a_model_or_response_parse_error(
    name: str, rng: random.Random, rate: float
) -> None:
    doc = mutate(load(name), rng, rate)
    try:
        model = CASES[name](doc)
    except ResponseParseError:
        return
    exercise(model)


BUILDERS: tuple[Callable[[Any], Any], ...] = (
    FileReport.from_api,
    URLReport.from_api,
    DomainReport.from_api,
    IPAddressReport.from_api,
    Analysis.from_api,
    Analysis.from_descriptor,
    VTObject.from_api,
    Comment.from_api,
    Vote.from_api,
    BehaviourSummary.from_api,
    Quotas.from_api,
    APIUsage.from_api,
    IndicatorDetails.from_api,
    GeoDetails.from_api,
    PassiveDNS.from_api,
    URLList.from_api,
    MalwareSamples.from_api,
    Pulse.from_api,
    PulseIndicator.from_api,
    PulseEvent.from_api,
    ExportedIndicator.from_api,
    User.from_api,
)


@pytest.mark.parametrize("build", BUILDERS)
@pytest.mark.parametrize("payload", [None, [], [{"id": "x"}], "x", 3, 1.5, True])
def test_non_object_payloads_raise_response_parse_error(
    build: Callable[[Any], Any], payload: Any
) -> None:
    with pytest.raises(ResponseParseError):
        build(payload)


# ---- drift check ----

# Maps keyed by data (engine names, dates, vendors): their keys are not wire fields.
DYNAMIC_MAPS = frozenset(
    {
        "last_analysis_results",
        "results",
        "sandbox_verdicts",
        "categories",
        "popularity_ranks",
        "exiftool",
        "last_http_response_headers",
        "html_meta",
        "trackers",
        "daily",
        "daily_endpoints_not_consuming_quota",
        "indicator_type_counts",
        "detections",
        "issuer",
        "subject",
    }
)


def key_paths(value: Any, prefix: str = "") -> set[str]:
    """Every dotted key path of a JSON document; list items are ``[]``, data-keyed maps ``*``."""
    paths: set[str] = set()
    if isinstance(value, dict):
        dynamic = prefix.rsplit(".", 1)[-1] in DYNAMIC_MAPS and not prefix.endswith("[]")
        for key, item in value.items():
            path = f"{prefix}.*" if dynamic and isinstance(item, dict) else f"{prefix}.{key}"
            path = path.lstrip(".")
            paths.add(path)
            paths |= key_paths(item, path)
    elif isinstance(value, list):
        for item in value:
            paths |= key_paths(item, f"{prefix}[]")
    return paths


def current_snapshot() -> dict[str, list[str]]:
    names = sorted(str(p.relative_to(FIXTURES)) for p in FIXTURES.rglob("*.json") if p.is_file())
    return {name: sorted(key_paths(load(name))) for name in names}


def test_fixture_keys_match_the_snapshot() -> None:
    current = current_snapshot()
    if os.environ.get("TIINTEL_UPDATE_SNAPSHOT") == "1":
        SNAPSHOT.write_text(json.dumps(current, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    known = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    problems = []
    for name in sorted(set(current) | set(known)):
        added = sorted(set(current.get(name, ())) - set(known.get(name, ())))
        removed = sorted(set(known.get(name, ())) - set(current.get(name, ())))
        if added or removed:
            problems.append(f"{name}: new {added} gone {removed}")
    assert not problems, (
        "wire keys drifted from tests/models/known_keys.json (review the models, then rerun "
        "with TIINTEL_UPDATE_SNAPSHOT=1):\n" + "\n".join(problems)
    )


def test_every_fixture_of_a_model_is_fuzzed() -> None:
    unused = {
        "virustotal/error_401_authentication_required.json",
        "virustotal/error_404_not_found.json",
        "virustotal/error_409_already_exists_vote.json",
        "virustotal/error_429_quota_exceeded.json",
        "virustotal/get_files_upload_url.json",
        "virustotal/post_files_votes_request.json",
        "otx/indicators_file_analysis.demisto.json",  # returned as a Mapping, no model
    }
    assert set(current_snapshot()) == set(CASES) | unused
