"""The sync client and its async twin: same names, same parameters, same docstrings."""

from __future__ import annotations

import inspect
from typing import Any

import pytest

from tiintel.virustotal import AsyncVirusTotalClient, AsyncVTIterator, VirusTotalClient, VTIterator
from tiintel.virustotal.resources import (
    analyses,
    comments,
    domains,
    files,
    ip_addresses,
    urls,
    users,
    votes,
)

PAIRS: list[tuple[type[Any], type[Any]]] = [
    (VirusTotalClient, AsyncVirusTotalClient),
    (VTIterator, AsyncVTIterator),
    (analyses.Analyses, analyses.AsyncAnalyses),
    (comments.Comments, comments.AsyncComments),
    (domains.Domains, domains.AsyncDomains),
    (files.Files, files.AsyncFiles),
    (ip_addresses.IPAddresses, ip_addresses.AsyncIPAddresses),
    (urls.URLs, urls.AsyncURLs),
    (users.Users, users.AsyncUsers),
    (votes.Votes, votes.AsyncVotes),
]
SYNC_ONLY = {"close", "__enter__", "__exit__", "__iter__", "__next__"}
ASYNC_ONLY = {"aclose", "__aenter__", "__aexit__", "__aiter__", "__anext__"}


def members(cls: type[Any], skip: set[str]) -> dict[str, Any]:
    """Public methods and properties, plus ``__call__`` (resources called like functions)."""
    found = {}
    for name, value in inspect.getmembers(cls):
        if name in skip or (name.startswith("_") and name != "__call__"):
            continue
        if callable(value) or isinstance(value, property):
            found[name] = value
    return found


def annotations_of(cls: type[Any]) -> set[str]:
    return {name for name in getattr(cls, "__annotations__", {}) if not name.startswith("_")}


@pytest.mark.parametrize(("sync", "async_"), PAIRS, ids=[p[0].__name__ for p in PAIRS])
def test_same_names(sync: type[Any], async_: type[Any]) -> None:
    assert set(members(sync, SYNC_ONLY)) == set(members(async_, ASYNC_ONLY))
    assert annotations_of(sync) == annotations_of(async_)


@pytest.mark.parametrize(("sync", "async_"), PAIRS, ids=[p[0].__name__ for p in PAIRS])
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


@pytest.mark.parametrize(("sync", "async_"), PAIRS[2:], ids=[p[0].__name__ for p in PAIRS[2:]])
def test_async_methods_are_coroutines_or_iterator_factories(
    sync: type[Any], async_: type[Any]
) -> None:
    for name, method in members(async_, ASYNC_ONLY).items():
        if isinstance(method, property):
            continue
        sync_method = getattr(sync, name)
        returns_iterator = "Iterator" in str(inspect.signature(sync_method).return_annotation)
        assert inspect.iscoroutinefunction(method) != returns_iterator, name


def test_client_constructors_match() -> None:
    sync = inspect.signature(VirusTotalClient.__init__).parameters
    async_ = inspect.signature(AsyncVirusTotalClient.__init__).parameters
    assert list(sync) == list(async_)
    assert list(sync)[1:] == [
        "api_key", "user", "base_url", "timeout", "max_retries", "rate_limits",
        "max_quota_wait", "transport", "http_client", "clock",
    ]  # fmt: skip
    assert sync["base_url"].default == "https://www.virustotal.com/api/v3"
    assert sync["timeout"].default == 30.0
