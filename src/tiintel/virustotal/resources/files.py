"""Files: reports, hash-first scans with optional upload, rescans, behaviour summaries, downloads."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Sequence
from typing import IO, Any

import httpx

from ..._core.request import RequestSpec
from ..._exceptions import NotFoundError, ResponseParseError
from ..._types import JSON
from ...models.virustotal import Analysis, FileReport
from ...models.virustotal_extras import BehaviourSummary
from .._ids import data_of, data_string, file_id, relationships_param
from . import _upload
from ._base import AsyncResource, SyncResource
from .analyses import Analyses, AsyncAnalyses, check_timeout

PREMIUM_HINT = "file downloads need a premium (VirusTotal Enterprise) API key"


def get_spec(
    file_hash: str, relationships: str | Sequence[str] | None, *, cost: int = 1
) -> RequestSpec:
    """GET /files/{id}, validating the hash first."""
    return RequestSpec(
        path=("files", file_id(file_hash)), params=relationships_param(relationships), cost=cost
    )


def parse_report(payload: JSON) -> FileReport:
    """The FileReport of a GET /files answer."""
    return FileReport.from_api(data_of(payload, "file"))


def parse_descriptor(payload: JSON) -> Analysis:
    """The queued Analysis of a POST answer (``{"data": {"type": "analysis", "id": ...}}``)."""
    return Analysis.from_descriptor(data_of(payload, "analysis descriptor"))


def rescan_spec(file_hash: str) -> RequestSpec:
    """POST /files/{id}/analyse."""
    return RequestSpec(
        method="POST", path=("files", file_id(file_hash), "analyse"), idempotent=False
    )


def behaviour_spec(file_hash: str) -> RequestSpec:
    """GET /files/{id}/behaviour_summary."""
    return RequestSpec(path=("files", file_id(file_hash), "behaviour_summary"))


def parse_behaviour(payload: JSON) -> BehaviourSummary:
    """The BehaviourSummary of a behaviour_summary answer (its ``data`` has no type or id)."""
    return BehaviourSummary.from_api(data_of(payload, "behaviour summary"))


UPLOAD_URL_SPEC = RequestSpec(path=("files", "upload_url"), cost=0)
"""GET /files/upload_url (free; the URL is good for one upload of up to 650 MB)."""


def upload_spec(prepared: _upload.PreparedFile, upload_url: str | None = None) -> RequestSpec:
    """POST the file as multipart field ``file``, to /files or to an upload URL."""
    return RequestSpec(
        method="POST",
        path=("files",),
        files={"file": (prepared.name, _upload.fresh_body(prepared), "application/octet-stream")},
        idempotent=False,
        absolute_url=upload_url,
    )


def not_uploaded(error: NotFoundError, sha256: str) -> NotFoundError:
    """The NotFoundError of ``scan(upload=False)`` for an unknown file: says nothing was sent."""
    return NotFoundError(
        f"VirusTotal does not know the file with sha256 {sha256}; it was NOT uploaded "
        "(pass upload=True to submit it)",
        status_code=error.status_code,
        provider="virustotal",
        code=error.code,
    )


def download_spec(file_hash: str) -> RequestSpec:
    """GET /files/{id}/download, expecting VirusTotal's 302 to a signed storage URL."""
    return RequestSpec(
        path=("files", file_id(file_hash), "download"), expect="redirect", error_hint=PREMIUM_HINT
    )


def storage_url(location: JSON, base_url: httpx.URL) -> str:
    """The absolute storage URL of a download redirect; a downgrade from https is refused."""
    if not isinstance(location, str) or not location:
        raise ResponseParseError(
            "VirusTotal download answer has no Location", provider="virustotal"
        )
    url = base_url.join(location)
    if url.scheme != "https" and base_url.scheme == "https":
        raise ResponseParseError(
            f"VirusTotal download redirect to a {url.scheme!r} URL refused (not https)",
            provider="virustotal",
        )
    return str(url)


DownloadDest = str | os.PathLike[str] | IO[bytes]


def _open_dest(dest: DownloadDest) -> tuple[IO[bytes], str | None]:
    """(binary writer, temporary path to rename into ``dest`` once complete, or None)."""
    if isinstance(dest, str | os.PathLike):
        partial = os.fspath(dest) + ".part"
        return open(partial, "wb"), partial
    if not hasattr(dest, "write"):
        raise TypeError(f"dest must be a path or a binary file object, got {type(dest).__name__}")
    return dest, None


def _close_dest(writer: IO[bytes], partial: str | None, dest: DownloadDest, ok: bool) -> None:
    if partial is None:
        return
    writer.close()
    if ok:
        os.replace(partial, os.fspath(dest))  # type: ignore[arg-type]
    else:
        os.unlink(partial)


class Files(SyncResource):
    """``vt.files``: file reports, scans, rescans, behaviour summaries and downloads."""

    def __init__(self, sender: Any) -> None:
        super().__init__(sender)
        self._analyses = Analyses(sender)

    def get(
        self, file_hash: str, *, relationships: str | Sequence[str] | None = None
    ) -> FileReport:
        """The report of the file with this md5, sha1 or sha256.

        ``relationships`` (a name or a list) asks VirusTotal to embed related objects in the
        report's ``relationships``. Anything that is not a hash raises ``InvalidIndicatorError``
        before a request is sent; an unknown file raises ``NotFoundError``.
        """
        return parse_report(self._sender.request(get_spec(file_hash, relationships)))

    def scan(
        self,
        path_or_fileobj: _upload.FileSource,
        *,
        upload: bool = False,
        wait: bool = True,
        timeout: float = 300.0,
    ) -> FileReport | Analysis:
        """Look a local file up by its sha256 and, only if asked, upload it.

        The file is hashed locally first (streamed, any size). A file VirusTotal knows returns
        its ``FileReport`` and nothing is uploaded. An unknown file raises ``NotFoundError`` unless
        ``upload=True``; then it is uploaded (files over 32 MB through an upload URL, 650 MB at
        most) and, with ``wait=False``, the queued ``Analysis`` is returned; with ``wait=True`` the
        analysis is polled (bounded backoff, ``timeout`` seconds at most, else
        ``AnalysisTimeoutError``) and the final ``FileReport`` is returned.
        """
        limit = check_timeout(timeout)
        with _upload.prepare_file(path_or_fileobj) as prepared:
            try:
                return self.get(prepared.sha256)
            except NotFoundError as exc:
                if not upload:
                    raise not_uploaded(exc, prepared.sha256) from exc
            _upload.check_upload_size(prepared)
            upload_url = None
            if _upload.needs_upload_url(prepared.size):
                upload_url = data_string(self._sender.request(UPLOAD_URL_SPEC), "upload URL")
            analysis = parse_descriptor(self._sender.request(upload_spec(prepared, upload_url)))
        if not wait:
            return analysis
        self._analyses._wait(analysis.id, limit, cost=0)
        return parse_report(self._sender.request(get_spec(prepared.sha256, None, cost=0)))

    def rescan(self, file_hash: str) -> Analysis:
        """Ask VirusTotal to analyse a known file again; returns the queued ``Analysis``."""
        return parse_descriptor(self._sender.request(rescan_spec(file_hash)))

    def behaviour_summary(self, file_hash: str) -> BehaviourSummary:
        """The sandbox behaviour of the file, merged over every sandbox that ran it."""
        return parse_behaviour(self._sender.request(behaviour_spec(file_hash)))

    def download(self, file_hash: str, dest: DownloadDest) -> int:
        """Download the file's content into ``dest`` (a path or a binary file object); premium only.

        VirusTotal answers with a redirect to a signed storage URL, which is followed by hand
        WITHOUT the API key and streamed to disk (a path is written to ``<dest>.part`` and renamed
        when complete). Returns the number of bytes written.
        """
        location = self._sender.request(download_spec(file_hash))
        url = storage_url(location, self._sender.settings.base_url)
        writer, partial = _open_dest(dest)
        ok = False
        try:
            written = self._sender.stream_to(url, writer.write)
            ok = True
            return written
        finally:
            _close_dest(writer, partial, dest, ok)


class AsyncFiles(AsyncResource):
    """``vt.files``: file reports, scans, rescans, behaviour summaries and downloads."""

    def __init__(self, sender: Any) -> None:
        super().__init__(sender)
        self._analyses = AsyncAnalyses(sender)

    async def get(
        self, file_hash: str, *, relationships: str | Sequence[str] | None = None
    ) -> FileReport:
        """The report of the file with this md5, sha1 or sha256.

        ``relationships`` (a name or a list) asks VirusTotal to embed related objects in the
        report's ``relationships``. Anything that is not a hash raises ``InvalidIndicatorError``
        before a request is sent; an unknown file raises ``NotFoundError``.
        """
        return parse_report(await self._sender.request(get_spec(file_hash, relationships)))

    async def scan(
        self,
        path_or_fileobj: _upload.FileSource,
        *,
        upload: bool = False,
        wait: bool = True,
        timeout: float = 300.0,  # noqa: ASYNC109 - an analysis deadline, part of the API
    ) -> FileReport | Analysis:
        """Look a local file up by its sha256 and, only if asked, upload it.

        The file is hashed locally first (streamed, any size). A file VirusTotal knows returns
        its ``FileReport`` and nothing is uploaded. An unknown file raises ``NotFoundError`` unless
        ``upload=True``; then it is uploaded (files over 32 MB through an upload URL, 650 MB at
        most) and, with ``wait=False``, the queued ``Analysis`` is returned; with ``wait=True`` the
        analysis is polled (bounded backoff, ``timeout`` seconds at most, else
        ``AnalysisTimeoutError``) and the final ``FileReport`` is returned.
        """
        limit = check_timeout(timeout)
        prepared = await asyncio.to_thread(_upload.prepare_file, path_or_fileobj)
        with prepared:
            try:
                return await self.get(prepared.sha256)
            except NotFoundError as exc:
                if not upload:
                    raise not_uploaded(exc, prepared.sha256) from exc
            _upload.check_upload_size(prepared)
            upload_url = None
            if _upload.needs_upload_url(prepared.size):
                upload_url = data_string(await self._sender.request(UPLOAD_URL_SPEC), "upload URL")
            analysis = parse_descriptor(
                await self._sender.request(upload_spec(prepared, upload_url))
            )
        if not wait:
            return analysis
        await self._analyses._wait(analysis.id, limit, cost=0)
        return parse_report(await self._sender.request(get_spec(prepared.sha256, None, cost=0)))

    async def rescan(self, file_hash: str) -> Analysis:
        """Ask VirusTotal to analyse a known file again; returns the queued ``Analysis``."""
        return parse_descriptor(await self._sender.request(rescan_spec(file_hash)))

    async def behaviour_summary(self, file_hash: str) -> BehaviourSummary:
        """The sandbox behaviour of the file, merged over every sandbox that ran it."""
        return parse_behaviour(await self._sender.request(behaviour_spec(file_hash)))

    async def download(self, file_hash: str, dest: DownloadDest) -> int:
        """Download the file's content into ``dest`` (a path or a binary file object); premium only.

        VirusTotal answers with a redirect to a signed storage URL, which is followed by hand
        WITHOUT the API key and streamed to disk (a path is written to ``<dest>.part`` and renamed
        when complete). Returns the number of bytes written.
        """
        location = await self._sender.request(download_spec(file_hash))
        url = storage_url(location, self._sender.settings.base_url)
        writer, partial = await asyncio.to_thread(_open_dest, dest)
        ok = False
        try:
            written = await self._sender.stream_to(url, writer.write)
            ok = True
            return written
        finally:
            await asyncio.to_thread(_close_dest, writer, partial, dest, ok)
