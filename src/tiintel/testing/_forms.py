"""Request body decoding for form posts: multipart/form-data and urlencoded fields."""

from __future__ import annotations

from email import policy
from email.parser import BytesParser
from urllib.parse import parse_qsl

__all__ = ["FormField", "parse_form"]


class FormField:
    """One form field: its bytes and, for a file part, the client's file name."""

    def __init__(self, data: bytes, filename: str | None = None) -> None:
        self.data = data
        self.filename = filename

    @property
    def text(self) -> str:
        """The value decoded as UTF-8 (errors replaced)."""
        return self.data.decode("utf-8", "replace")


def parse_form(content_type: str | None, body: bytes) -> dict[str, FormField]:
    """Decode a form body; an unreadable or non-form body gives an empty dict."""
    kind = (content_type or "").split(";", 1)[0].strip().lower()
    if kind == "application/x-www-form-urlencoded":
        pairs = parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
        return {name: FormField(value.encode()) for name, value in pairs}
    if kind != "multipart/form-data":
        return {}
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    message = BytesParser(policy=policy.HTTP).parsebytes(head + body)
    fields: dict[str, FormField] = {}
    if not message.is_multipart():
        return fields
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        fields[name] = FormField(data, part.get_filename())
    return fields
