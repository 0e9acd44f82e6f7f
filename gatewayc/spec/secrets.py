from __future__ import annotations

import re
from typing import Any

from pydantic import model_validator

from .types import Model, exactly_one, fail

_ENV_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
SECRET_HINT = "write `{env: NAME}` (an environment variable of the gateway) or `{file: path}`"


class SecretRef(Model):
    """A reference to a secret, never the secret itself."""

    env: str | None = None
    file: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _no_inline(cls, v: Any) -> Any:
        if isinstance(v, (str, int, float)) and not isinstance(v, bool):
            raise fail("GWC109", "secrets must be references, not inline values", SECRET_HINT)
        return v

    @model_validator(mode="after")
    def _one(self) -> "SecretRef":
        exactly_one(self, ("env", "file"), "a secret reference")
        if self.env is not None and not _ENV_RE.match(self.env):
            raise fail("GWC103", f"{self.env!r} is not a valid environment variable name")
        if self.file is not None and (not self.file or "\n" in self.file):
            raise fail("GWC103", "a file reference needs a path")
        return self


class FileRef(Model):
    """A certificate or CA bundle on the gateway host: emitted as written, never read by gatewayc."""

    file: str

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, v: Any) -> Any:
        return {"file": v} if isinstance(v, str) else v
