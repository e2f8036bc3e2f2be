"""Local side of a file scan: hash a file (any size, streamed), spool unseekable streams, size limits.

Plain blocking file I/O: the async client runs ``prepare_file`` in a worker thread.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import tempfile
from typing import IO, Any, Final, TypeAlias

import attrs

from ..._exceptions import InvalidArgumentError

FileSource: TypeAlias = "str | os.PathLike[str] | IO[bytes]"
"""A path, or a binary file object opened for reading."""

DIRECT_UPLOAD_LIMIT: Final = 32 * 1024 * 1024
"""Files above this go through ``/files/upload_url`` (POST /files takes at most 32 MB)."""
MAX_UPLOAD_SIZE: Final = 650 * 1024 * 1024
"""The largest file VirusTotal accepts through an upload URL."""
CHUNK: Final = 1024 * 1024
_SPOOL_IN_MEMORY: Final = 8 * 1024 * 1024


@attrs.define
class PreparedFile:
    """A file ready to look up and, if asked, to upload: its sha256, size and a readable body."""

    sha256: str
    size: int
    name: str
    body: IO[bytes]
    _owned: bool = False

    def close(self) -> None:
        """Close the body if this SDK opened it (a path, or a spool of an unseekable stream)."""
        if self._owned:
            self.body.close()

    def __enter__(self) -> PreparedFile:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _seekable(stream: Any) -> bool:
    try:
        return bool(stream.seekable())
    except (AttributeError, OSError, ValueError):
        return False


def _chunks(stream: Any) -> Any:
    while True:
        chunk = stream.read(CHUNK)
        if not chunk:
            return
        if not isinstance(chunk, bytes | bytearray | memoryview):
            raise TypeError("files.scan needs a binary file object: open the file with 'rb'")
        yield bytes(chunk)


def prepare_file(source: FileSource) -> PreparedFile:
    """Hash ``source`` in chunks; an unseekable stream is copied to a temporary spool on the way.

    A seekable file object is read whole, from its start (that is what gets uploaded), and
    rewound. A path is opened here and closed by ``PreparedFile.close``.
    """
    if isinstance(source, str | os.PathLike):
        stream: Any = open(source, "rb")  # noqa: SIM115 - closed by PreparedFile.close
        owned = True
    elif hasattr(source, "read"):
        stream, owned = source, False
    else:
        raise TypeError(
            f"files.scan needs a path or a binary file object, got {type(source).__name__}"
        )
    name = os.path.basename(str(getattr(stream, "name", "") or "")) or "file"
    try:
        digest, size = hashlib.sha256(), 0
        if _seekable(stream):
            stream.seek(0)
            for chunk in _chunks(stream):
                digest.update(chunk)
                size += len(chunk)
            stream.seek(0)
            return PreparedFile(digest.hexdigest(), size, name, stream, owned)
        spool = tempfile.SpooledTemporaryFile(max_size=_SPOOL_IN_MEMORY)  # noqa: SIM115
        try:
            for chunk in _chunks(stream):
                digest.update(chunk)
                size += len(chunk)
                spool.write(chunk)
            spool.seek(0)
        except BaseException:
            spool.close()
            raise
        if owned:
            stream.close()
        return PreparedFile(digest.hexdigest(), size, name, spool, True)
    except BaseException:
        if owned:
            stream.close()
        raise


def needs_upload_url(size: int) -> bool:
    """True when a file of ``size`` bytes must go through ``/files/upload_url``."""
    return size > DIRECT_UPLOAD_LIMIT


def check_upload_size(prepared: PreparedFile) -> None:
    """InvalidArgumentError (a ValueError) for a file VirusTotal would refuse, before sending it."""
    if prepared.size > MAX_UPLOAD_SIZE:
        raise InvalidArgumentError(
            f"{prepared.name} is {prepared.size / 2**20:.0f} MB; VirusTotal accepts files up to "
            f"{MAX_UPLOAD_SIZE // 2**20} MB, so it was not uploaded",
        )


def fresh_body(prepared: PreparedFile) -> IO[bytes]:
    """The body rewound (a retried upload must send the whole file again)."""
    with contextlib.suppress(OSError, io.UnsupportedOperation):
        prepared.body.seek(0)
    return prepared.body
