"""One scenario table, run through the sync client and its async twin against FakeVirusTotal."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from typing import Any

import pytest

from tiintel import models
from tiintel.testing import TEST_API_KEY, FakeVirusTotal

EICAR_MD5 = "44d88612fea8a8f36de82e1278abb02f"
EICAR_SHA1 = "3395856ce81f2b7382dee72602f798b642f14140"
EICAR_SHA256 = "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f"
LOADER = "eb9c3c8ef8d9a0b49b26e464459bf9b538a40e3fa80f53f73f4650bfaf932ca6"
PHISH = "http://phish.example/login"
PHISH_B64 = base64.urlsafe_b64encode(PHISH.encode()).decode().rstrip("=")
PHISH_SHA256 = hashlib.sha256(PHISH.encode()).hexdigest()


def is_eicar(report: Any) -> bool:
    return bool(
        report.sha256 == EICAR_SHA256
        and report.md5 == EICAR_MD5
        and report.last_analysis_stats.malicious
    )


def is_phish(report: Any) -> bool:
    return bool(report.id == PHISH_SHA256 and report.last_analysis_stats.malicious)


def ids(items: Any) -> list[str]:
    return [item.id for item in items]


# (name, call, expected type of the result, a check of its content)
SCENARIOS: list[tuple[str, Callable[[Any], Any], type[Any], Callable[[Any], bool]]] = [
    ("file by md5", lambda vt: vt.files.get(EICAR_MD5), models.FileReport, is_eicar),
    ("file by sha1", lambda vt: vt.files.get(EICAR_SHA1), models.FileReport, is_eicar),
    ("file by upper-case sha256", lambda vt: vt.files.get(EICAR_SHA256.upper()), models.FileReport, is_eicar),
    ("url by URL", lambda vt: vt.urls.get(PHISH), models.URLReport, is_phish),
    ("url by defanged URL", lambda vt: vt.urls.get("hxxp://phish[.]example/login"), models.URLReport, is_phish),
    ("url by base64 id", lambda vt: vt.urls.get(PHISH_B64), models.URLReport, is_phish),
    ("url by sha256 id", lambda vt: vt.urls.get(PHISH_SHA256), models.URLReport, is_phish),
    ("domain", lambda vt: vt.domains.get("google.com"), models.DomainReport, lambda r: r.id == "google.com"),
    ("ip address", lambda vt: vt.ip_addresses.get("8.8.8.8"), models.IPAddressReport, lambda r: r.id == "8.8.8.8"),
    (
        "get with relationships",
        lambda vt: vt.files.get(LOADER, relationships=["contacted_domains"]),
        models.FileReport,
        lambda r: "contacted_domains" in (r.relationships or {}),
    ),
    (
        "relationship of a file",
        lambda vt: vt.relationships(("files", LOADER), "contacted_domains"),
        list,
        lambda items: [(o.type, o.id) for o in items] == [("domain", "c2.badcorp.example")],
    ),
    (
        "relationship descriptors only",
        lambda vt: vt.relationships(f"files/{LOADER}", "execution_parents", descriptors_only=True),
        list,
        lambda items: len(items) == 2 and all(o.attributes == {} for o in items),
    ),
    (
        "one-to-one relationship",
        lambda vt: vt.relationships(("urls", PHISH), "network_location"),
        list,
        lambda items: ids(items) == ["phish.example"],
    ),
    (
        "behaviour summary",
        lambda vt: vt.files.behaviour_summary(LOADER),
        models.BehaviourSummary,
        lambda s: "IsDebuggerPresent" in (s.calls_highlighted or ()),
    ),
    ("rescan", lambda vt: vt.files.rescan(EICAR_MD5), models.Analysis, lambda a: a.status == "queued"),
    (
        "url scan waits for completion",
        lambda vt: vt.urls.scan(PHISH),
        models.Analysis,
        lambda a: a.status == "completed" and a.stats.malicious > 0,
    ),
    ("url scan without waiting", lambda vt: vt.urls.scan(PHISH, wait=False), models.Analysis,
     lambda a: a.status == "queued"),
    (
        "comments on a file",
        lambda vt: vt.comments(("files", EICAR_SHA256)),
        list,
        lambda cs: [c.tags for c in cs] == [("eicar", "test")],
    ),
    (
        "comment posted",
        lambda vt: vt.comments.add("domains/google.com", "Looks fine #benign"),
        models.Comment,
        lambda c: c.text == "Looks fine #benign",
    ),
    (
        "vote cast",
        lambda vt: vt.votes.add(("domains", "google.com"), "harmless"),
        models.Vote,
        lambda v: v.verdict == "harmless",
    ),
    ("public search", lambda vt: vt.search(EICAR_MD5), list, lambda items: ids(items) == [EICAR_SHA256]),
    ("quotas", lambda vt: vt.quotas(), models.Quotas, lambda q: q.daily is not None),
    (
        "api usage",
        lambda vt: vt.api_usage(start_date="20250101", end_date="20250110"),
        models.APIUsage,
        lambda u: u.raw is not None,
    ),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "call", "kind", "check"), SCENARIOS, ids=[s[0] for s in SCENARIOS]
)
async def test_scenario(
    twin: Any, name: str, call: Callable[[Any], Any], kind: type[Any], check: Callable[[Any], bool]
) -> None:
    vt = twin.make(FakeVirusTotal(), api_key=TEST_API_KEY)
    result = await twin.run(call(vt))
    assert isinstance(result, kind)
    assert check(result), result


async def test_votes_listed_after_casting(twin: Any) -> None:
    vt = twin.make(FakeVirusTotal(), api_key=TEST_API_KEY)
    await twin.run(vt.votes.add(("files", EICAR_SHA256), "malicious"))
    votes = await twin.run(vt.votes(("files", EICAR_SHA256)))
    assert [v.verdict for v in votes] == ["malicious"]
