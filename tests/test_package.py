"""The public surface: every exported name resolves, import stays lazy, the package is typed."""

from __future__ import annotations

import subprocess
import sys
from importlib import resources

import pytest

import tiintel


def test_all_is_sorted_and_complete() -> None:
    assert tiintel.__all__ == sorted(tiintel.__all__)
    assert set(tiintel.__all__) == {*tiintel._LAZY, "__version__"}


@pytest.mark.parametrize("name", tiintel.__all__)
def test_every_public_name_resolves_and_is_documented(name: str) -> None:
    value = getattr(tiintel, name)
    if name != "__version__":
        assert (value.__doc__ or "").strip(), f"{name} has no docstring"


def test_unknown_attribute() -> None:
    with pytest.raises(AttributeError):
        tiintel.does_not_exist


def test_import_is_lazy() -> None:
    code = "import sys, tiintel; print(sorted(m for m in ('httpx', 'sqlite3', 'stix2', 'pandas', 'tiintel.cli') if m in sys.modules))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


def test_py_typed_is_shipped() -> None:
    assert resources.files("tiintel").joinpath("py.typed").is_file()


def test_errors_hierarchy() -> None:
    assert issubclass(tiintel.InvalidIndicatorError, ValueError)
    assert issubclass(tiintel.QuotaExceededError, tiintel.RateLimitError)
    assert issubclass(tiintel.APITimeoutError, tiintel.APIConnectionError)
    for name in (
        "BadRequestError",
        "AuthenticationError",
        "PermissionDeniedError",
        "NotFoundError",
        "ConflictError",
        "ServerError",
    ):
        assert issubclass(getattr(tiintel, name), tiintel.APIStatusError)
