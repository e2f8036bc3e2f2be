"""Users: quotas and API usage (both free), and the quota probe the transport calls after a 429."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

from tiintel._exceptions import InvalidArgumentError

from ..._core.request import RequestSpec
from ..._exceptions import TiIntelError
from ..._types import JSON
from ...models.virustotal_extras import APIUsage, Quotas
from .._ids import data_of
from ._base import AsyncResource, SyncResource

DateArg = dt.date | str | None


def user_id(user: str | None, default_user: str | None, api_key: str) -> tuple[str, bool]:
    """(the id to put in the path, whether it is the API key): the user name when known, else the key."""
    for name in (user, default_user):
        if name is not None:
            if not isinstance(name, str) or not name.strip():
                raise InvalidArgumentError(f"user must be a VirusTotal user name, got {name!r}")
            return name.strip(), False
    return api_key, True


def quotas_spec(user: str | None, default_user: str | None, api_key: str) -> RequestSpec:
    """GET /users/{id}/overall_quotas: free; when the id is the key, the URL is never logged or kept."""
    uid, secret = user_id(user, default_user, api_key)
    return RequestSpec(path=("users", uid, "overall_quotas"), cost=0, secret_in_path=secret)


def _day(value: DateArg, name: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.date):
        return value.strftime("%Y%m%d")
    if isinstance(value, str) and len(value) == 8 and value.isdigit():
        return value
    raise InvalidArgumentError(f"{name} must be a datetime.date or 'YYYYMMDD', got {value!r}")


def api_usage_spec(
    user: str | None, default_user: str | None, api_key: str, start_date: DateArg, end_date: DateArg
) -> RequestSpec:
    """GET /users/{id}/api_usage (free; VirusTotal allows a range of at most 30 days)."""
    uid, secret = user_id(user, default_user, api_key)
    params = {"start_date": _day(start_date, "start_date"), "end_date": _day(end_date, "end_date")}
    return RequestSpec(
        path=("users", uid, "api_usage"), params=params, cost=0, secret_in_path=secret
    )


@contextmanager
def key_scrubbed(api_key: str) -> Iterator[None]:
    """Remove the key from an error raised inside (VirusTotal may echo the id of an unknown user)."""
    try:
        yield
    except TiIntelError as exc:
        if api_key in exc.message:
            exc.args = (exc.message.replace(api_key, "***"),)
        for name, value in vars(exc).items():
            if isinstance(value, str) and api_key in value:
                setattr(exc, name, value.replace(api_key, "***"))
        raise


def parse_quotas(payload: JSON) -> Quotas:
    """The Quotas of an overall_quotas answer."""
    return Quotas.from_api(data_of(payload, "quotas"))


def parse_usage(payload: JSON) -> APIUsage:
    """The APIUsage of an api_usage answer."""
    return APIUsage.from_api(data_of(payload, "API usage"))


class Users(SyncResource):
    """Quota and usage of a VirusTotal user (the client's ``user``, else the key's owner)."""

    def quotas(self, user: str | None = None, *, default_user: str | None = None) -> Quotas:
        """The user's quotas (hourly, daily, monthly, ...); costs no quota."""
        spec = quotas_spec(user, default_user, self._sender._api_key)
        with key_scrubbed(self._sender._api_key):
            return parse_quotas(self._sender.request(spec))

    def api_usage(
        self,
        user: str | None = None,
        *,
        start_date: DateArg = None,
        end_date: DateArg = None,
        default_user: str | None = None,
    ) -> APIUsage:
        """The user's API usage per day and endpoint group; costs no quota."""
        spec = api_usage_spec(user, default_user, self._sender._api_key, start_date, end_date)
        with key_scrubbed(self._sender._api_key):
            return parse_usage(self._sender.request(spec))


class AsyncUsers(AsyncResource):
    """Quota and usage of a VirusTotal user (the client's ``user``, else the key's owner)."""

    async def quotas(self, user: str | None = None, *, default_user: str | None = None) -> Quotas:
        """The user's quotas (hourly, daily, monthly, ...); costs no quota."""
        spec = quotas_spec(user, default_user, self._sender._api_key)
        with key_scrubbed(self._sender._api_key):
            return parse_quotas(await self._sender.request(spec))

    async def api_usage(
        self,
        user: str | None = None,
        *,
        start_date: DateArg = None,
        end_date: DateArg = None,
        default_user: str | None = None,
    ) -> APIUsage:
        """The user's API usage per day and endpoint group; costs no quota."""
        spec = api_usage_spec(user, default_user, self._sender._api_key, start_date, end_date)
        with key_scrubbed(self._sender._api_key):
            return parse_usage(await self._sender.request(spec))
