"""Users: ``GET /users/me``.

OTX clients disagree on the path (``/users/me`` in the Java, Node and Splunk clients,
``/user/me`` in others); tiintel uses ``/users/me`` and the fakes answer both.
"""

from __future__ import annotations

from ..._core.request import RequestSpec
from ...models.otx_sections import User
from ._base import AsyncResource, SyncResource

__all__ = ["ME_PATH", "AsyncUsers", "Users"]

ME_PATH = ("users", "me")
"""The path of the key owner's profile."""

ME_SPEC = RequestSpec(path=ME_PATH, forbidden_means="auth")


class Users(SyncResource):
    """``otx.users``: OTX user profiles."""

    def me(self) -> User:
        """The profile of the key's owner (a cheap way to check that a key works)."""
        return User.from_api(self._sender.request(ME_SPEC))


class AsyncUsers(AsyncResource):
    """``otx.users``: OTX user profiles."""

    async def me(self) -> User:
        """The profile of the key's owner (a cheap way to check that a key works)."""
        return User.from_api(await self._sender.request(ME_SPEC))
