"""The sync OTX client and its async twin: same names, same parameters, same docstrings."""

from __future__ import annotations

import inspect
from typing import Any

import pytest

from tiintel.otx import AsyncOTXClient, AsyncOTXPageIterator, OTXClient, OTXPageIterator
from tiintel.otx.resources import indicators, pulses, users

PAIRS: list[tuple[type[Any], type[Any]]] = [
    (OTXClient, AsyncOTXClient),
    (OTXPageIterator, AsyncOTXPageIterator),
    (indicators.Indicators, indicators.AsyncIndicators),
    (pulses.Pulses, pulses.AsyncPulses),
    (users.Users, users.AsyncUsers),
]
SYNC_ONLY = {"close", "__enter__", "__exit__", "__iter__", "__next__"}
ASYNC_ONLY = {"aclose", "__aenter__", "__aexit__", "__aiter__", "__anext__"}
IDS = [p[0].__name__ for p in PAIRS]


def members(cls: type[Any], skip: set[str]) -> dict[str, Any]:
    return {
        name: value
        for name, value in inspect.getmembers(cls)
        if name not in skip
        and not name.startswith("_")
        and (callable(value) or isinstance(value, property))
    }


def annotations_of(cls: type[Any]) -> set[str]:
    return {name for name in getattr(cls, "__annotations__", {}) if not name.startswith("_")}


@pytest.mark.parametrize(("sync", "async_"), PAIRS, ids=IDS)
def test_same_names(sync: type[Any], async_: type[Any]) -> None:
    assert set(members(sync, SYNC_ONLY)) == set(members(async_, ASYNC_ONLY))
    assert annotations_of(sync) == annotations_of(async_)


@pytest.mark.parametrize(("sync", "async_"), PAIRS, ids=IDS)
def test_same_parameters_and_docstrings(sync: type[Any], async_: type[Any]) -> None:
    sync_members, async_members = members(sync, SYNC_ONLY), members(async_, ASYNC_ONLY)
    for name, method in sync_members.items():
        twin = async_members[name]
        assert inspect.getdoc(method), f"{sync.__name__}.{name} has no docstring"
        assert inspect.getdoc(method) == inspect.getdoc(twin), name
        if isinstance(method, property):
            continue
        params = inspect.signature(method).parameters
        twin_params = inspect.signature(twin).parameters
        assert [(p.name, p.kind, p.default) for p in params.values()] == [
            (p.name, p.kind, p.default) for p in twin_params.values()
        ], name


@pytest.mark.parametrize(("sync", "async_"), PAIRS[2:], ids=IDS[2:])
def test_async_methods_are_coroutines_or_iterator_factories(
    sync: type[Any], async_: type[Any]
) -> None:
    for name, method in members(async_, ASYNC_ONLY).items():
        returns_iterator = "Iterator" in str(
            inspect.signature(getattr(sync, name)).return_annotation
        )
        assert inspect.iscoroutinefunction(method) != returns_iterator, name


def test_client_constructors_match_the_contract() -> None:
    sync = inspect.signature(OTXClient.__init__).parameters
    async_ = inspect.signature(AsyncOTXClient.__init__).parameters
    assert list(sync) == list(async_)
    assert list(sync)[1:] == [
        "api_key", "base_url", "timeout", "max_retries", "rate_limits",
        "max_quota_wait", "transport", "http_client", "clock",
    ]  # fmt: skip
    assert sync["base_url"].default == "https://otx.alienvault.com/api/v1"
    assert sync["timeout"].default == 90.0
    assert sync["max_retries"].default == 3
    assert sync["max_quota_wait"].default == 60.0
