from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import BeforeValidator, WithJsonSchema, model_validator

from .types import FilePath, Model, exactly_one, fail

_ENV_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def parse_env_name(v: Any) -> str:
    if not isinstance(v, str) or not _ENV_RE.fullmatch(v):
        raise fail("GWC103", f"{v!r} is not a valid environment variable name",
                   "letters, digits and '_', not starting with a digit")
    return v


EnvName = Annotated[str, BeforeValidator(parse_env_name),
                    WithJsonSchema({"type": "string", "pattern": _ENV_RE.pattern})]
SECRET_HINT = "write `{env: NAME}` (an environment variable of the gateway) or `{file: path}`"


class SecretRef(Model):
    """A reference to a secret, never the secret itself."""

    env: EnvName | None = None
    file: FilePath | None = None

    @model_validator(mode="before")
    @classmethod
    def _no_inline(cls, v: Any) -> Any:
        if isinstance(v, (str, int, float, list)) and not isinstance(v, bool):
            raise fail("GWC109", "secrets must be references, not inline values", SECRET_HINT)
        return v

    @model_validator(mode="after")
    def _one(self) -> "SecretRef":
        exactly_one(self, ("env", "file"), "a secret reference")
        return self


class FileRef(Model):
    """A certificate or CA bundle on the gateway host: emitted as written, never read by gatewayc."""

    file: FilePath

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, v: Any) -> Any:
        return {"file": v} if isinstance(v, str) else v
