"""Deterministic synthetic data for the hunt benchmark: an access log and an IoC list.

The log is Apache "combined" format. A small share of lines (``hit_rate``) carries one IoC
(as client address, referrer host, referrer URL or a hash in the request path); the rest is
made of addresses, hosts and hashes drawn from pools disjoint from the IoCs, so both tools see
the same mostly-clean haystack a real hunt sees.
"""

from __future__ import annotations

import hashlib
import random
import string
from pathlib import Path

TLDS = ("com", "net", "org", "io", "ru", "info", "biz", "xyz", "top", "cn")
AGENTS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Safari/537.36",
    "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0",
    "curl/8.4.0",
    "python-requests/2.31.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1",
)
PATHS = (
    "/",
    "/index.html",
    "/login",
    "/api/v1/items",
    "/static/app.js",
    "/static/style.css",
    "/images/logo.png",
    "/search",
    "/cart/checkout",
    "/wp-login.php",
    "/robots.txt",
)


def _label(rng: random.Random, low: int = 4, high: int = 12) -> str:
    return "".join(rng.choices(string.ascii_lowercase, k=rng.randint(low, high)))


def _domain(rng: random.Random) -> str:
    return f"{_label(rng)}.{rng.choice(TLDS)}"


def _ip(rng: random.Random, first: range) -> str:
    return f"{rng.choice(first)}.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"


def _hash(rng: random.Random) -> str:
    digest = hashlib.sha256(rng.randbytes(16)).hexdigest()
    return digest[: rng.choice((32, 40, 64))]


def make_iocs(count: int, seed: int = 7) -> list[str]:
    """Return ``count`` distinct IoCs: 30% domains, 25% IPv4, 20% URLs, 25% hashes."""
    rng = random.Random(seed)
    out: set[str] = set()
    # IoC addresses come from 1-99, the clean traffic from 100-223: no accidental overlap.
    makers = (
        (0.30, lambda: "ioc" + _domain(rng)),
        (0.55, lambda: _ip(rng, range(1, 100))),
        (0.75, lambda: f"http://ioc{_domain(rng)}/{_label(rng)}/{_label(rng)}.php"),
        (1.00, lambda: _hash(rng)),
    )
    while len(out) < count:
        roll = rng.random()
        for threshold, make in makers:
            if roll < threshold:
                out.add(make())
                break
    return sorted(out)


def make_log(
    path: Path, size_mb: int, iocs: list[str], hit_rate: float = 0.001, seed: int = 11
) -> int:
    """Write an access log of at least ``size_mb`` MiB to ``path``; return the number of lines."""
    rng = random.Random(seed)
    clients = [_ip(rng, range(100, 224)) for _ in range(20000)]
    hosts = [_domain(rng) for _ in range(5000)]
    hashes = [_hash(rng) for _ in range(5000)]
    target = size_mb * 1024 * 1024
    written = lines = 0
    with path.open("w", encoding="ascii", newline="\n") as out:
        while written < target:
            batch = []
            for _ in range(10000):
                client = rng.choice(clients)
                page = rng.choice(PATHS)
                if rng.random() < 0.2:
                    page = f"/download?id={rng.choice(hashes)}"
                referrer = f"https://{rng.choice(hosts)}{rng.choice(PATHS)}"
                if rng.random() < hit_rate:
                    ioc = rng.choice(iocs)
                    if ioc.startswith("http"):
                        referrer = ioc
                    elif ioc[0].isdigit() and ioc.count(".") == 3:
                        client = ioc
                    elif "." in ioc:
                        referrer = f"https://www.{ioc}/"
                    else:
                        page = f"/download?id={ioc}"
                batch.append(
                    f'{client} - - [10/Oct/2023:13:55:{lines % 60:02d} +0000] "GET {page} HTTP/1.1" '
                    f"{rng.choice((200, 200, 200, 304, 404))} {rng.randrange(200, 90000)} "
                    f'"{referrer}" "{rng.choice(AGENTS)}"\n'
                )
                lines += 1
            chunk = "".join(batch)
            out.write(chunk)
            written += len(chunk)
    return lines
