"""Small shared types: the NOT_GIVEN sentinel and common aliases."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any, Final, TypeAlias

import httpx

JSON: TypeAlias = Any
"""A decoded JSON value (dict, list, str, int, float, bool or None)."""

Params: TypeAlias = Mapping[str, "str | int | float | bool | None"]
"""Query parameters; None values are dropped."""

TimeoutTypes: TypeAlias = "float | httpx.Timeout"


class NotGiven(enum.Enum):
    """The type of NOT_GIVEN: an argument the caller did not pass (None can be a real value)."""

    NOT_GIVEN = enum.auto()

    def __repr__(self) -> str:
        return "NOT_GIVEN"

    def __bool__(self) -> bool:
        return False


NOT_GIVEN: Final = NotGiven.NOT_GIVEN
