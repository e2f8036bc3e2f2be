"""The tolerant coercion helpers shared by every model."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from types import MappingProxyType

import attrs
import pytest

from tiintel._exceptions import ResponseParseError
from tiintel.models import _base as b


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (5, 5),
        (-3, -3),
        (2.0, 2),
        (2.5, None),
        (float("nan"), None),
        (float("inf"), None),
        ("437760", 437760),
        (" 12 ", 12),
        ("12a", None),
        ("", None),
        ("9" * 40, None),
        (True, None),
        (None, None),
        ([], None),
        ({}, None),
    ],
)
def test_as_int(value: object, expected: int | None) -> None:
    assert b.as_int(value) == expected


@pytest.mark.parametrize(("value", "expected"), [(3, 3), (None, 0), ("x", 0), (False, 0)])
def test_as_count_defaults_to_zero(value: object, expected: int) -> None:
    assert b.as_count(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(True, True), (False, False), (1, True), (0, False), (2, None), ("1", None), (None, None)],
)
def test_as_bool_accepts_bools_and_0_1(value: object, expected: bool | None) -> None:
    assert b.as_bool(value) is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(1.5, 1.5), (2, 2.0), (True, None), (float("nan"), None), ("1.5", None), (None, None)],
)
def test_as_float(value: object, expected: float | None) -> None:
    assert b.as_float(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (["a", "b"], ("a", "b")),
        (["a", 1, None, "c"], ("a", "c")),
        ([], ()),
        (None, None),
        ("a", None),
        ({"a": 1}, None),
    ],
)
def test_as_str_tuple(value: object, expected: tuple[str, ...] | None) -> None:
    assert b.as_str_tuple(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, datetime(1970, 1, 1, tzinfo=UTC)),
        (1631929700, datetime(2021, 9, 18, 1, 48, 20, tzinfo=UTC)),
        (1631929700.5, datetime(2021, 9, 18, 1, 48, 20, 500000, tzinfo=UTC)),
        (10**20, None),
        (float("nan"), None),
        (True, None),
        ("1631929700", None),
        (None, None),
    ],
)
def test_epoch_dt(value: object, expected: datetime | None) -> None:
    assert b.epoch_dt(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2022-03-02T13:59:28.273000", datetime(2022, 3, 2, 13, 59, 28, 273000, tzinfo=UTC)),
        ("2023-08-09T05:05:15", datetime(2023, 8, 9, 5, 5, 15, tzinfo=UTC)),
        ("2026-11-01T00:00:00Z", datetime(2026, 11, 1, tzinfo=UTC)),
        ("2026-11-01T02:00:00+02:00", datetime(2026, 11, 1, tzinfo=UTC)),
        ("2024-02-30T00:00:00", None),
        ("yesterday", None),
        ("", None),
        (1700000000, None),
        (None, None),
    ],
)
def test_iso_dt_gives_aware_utc(value: object, expected: datetime | None) -> None:
    result = b.iso_dt(value)
    assert result == expected
    if result is not None:
        assert result.utcoffset() == timedelta(0)


def test_any_dt_takes_both_shapes() -> None:
    assert b.any_dt(0) == b.any_dt("1970-01-01T00:00:00") == datetime(1970, 1, 1, tzinfo=UTC)


def test_freeze_is_deep_and_read_only() -> None:
    frozen = b.frozen_map({"a": {"b": [1, {"c": 2}]}})
    assert frozen is not None
    assert frozen == {"a": {"b": (1, {"c": 2})}}
    with pytest.raises(TypeError):
        frozen["x"] = 1  # type: ignore[index]
    with pytest.raises(TypeError):
        frozen["a"]["b"] = 2
    assert b.frozen_map([1]) is None


def test_require_mapping_and_id_raise_response_parse_error() -> None:
    with pytest.raises(ResponseParseError) as info:
        b.require_mapping([1, 2], "FileReport", "virustotal")
    assert info.value.provider == "virustotal"
    assert "FileReport" in str(info.value)
    for bad in ({}, {"id": ""}, {"id": None}, {"id": True}, {"id": [1]}):
        with pytest.raises(ResponseParseError):
            b.require_id(bad, "X", "otx")
    assert b.require_id({"id": 7}, "X", "otx") == "7"


def test_lazy_model_map_parses_on_access_and_skips_non_objects() -> None:
    calls: list[str] = []

    def factory(data: object) -> str:
        calls.append(repr(data))
        return "built"

    lazy = b.LazyModelMap({"a": {"x": 1}, "b": "junk", "c": {}}, factory)
    assert list(lazy) == ["a", "c"]
    assert len(lazy) == 2
    assert "b" not in lazy
    assert calls == []
    assert lazy["a"] == "built"
    assert lazy["a"] == "built"
    assert len(calls) == 1
    assert lazy == {"a": "built", "c": "built"}
    assert repr(lazy) == "<2 entries: a, c>"
    with pytest.raises(KeyError):
        lazy["b"]
    assert dict(b.LazyModelMap(None, factory)) == {}


@attrs.frozen(kw_only=True)
class _Sample(b.Model):
    when: datetime
    names: tuple[str, ...]
    info: MappingProxyType[str, object]
    raw: object = attrs.field(eq=False, repr=False)


def test_to_dict_is_json_ready_and_excludes_raw() -> None:
    sample = _Sample(
        when=datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone(timedelta(0))),
        names=("a", "b"),
        info=MappingProxyType({"k": (1, 2)}),
        raw={"secret": 1},
    )
    out = sample.to_dict()
    assert out == {"when": "2024-01-02T03:04:05+00:00", "names": ["a", "b"], "info": {"k": [1, 2]}}
    json.dumps(out)


def test_html_table_escapes_everything() -> None:
    page = b.html_table("<b>", [("<i>", ("<script>", "a&b")), ("n", None)])
    assert "<script>" not in page
    assert "<b>" not in page
    assert "<i>" not in page
    assert "&lt;script&gt;, a&amp;b" in page
