"""The API keys the fakes understand."""

from __future__ import annotations

from typing import Final

__all__ = ["INVALID_API_KEY", "TEST_API_KEY"]

TEST_API_KEY: Final = "tiintel-test-key-0000000000000000000000000000000000000000000000000000"
"""A key the fakes accept (any other non-empty key except INVALID_API_KEY is accepted too)."""

INVALID_API_KEY: Final = "tiintel-invalid-key"
"""The key the fakes reject like a wrong key (VT 401 WrongCredentialsError, OTX 403)."""
