"""What every operation shares: input validation with the API's schemas, ids, the anonymous actor."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, TypeAdapter
from pydantic import ValidationError as PydanticValidationError

from peacewatch.registry.errors import ValidationFailed
from peacewatch.registry.schemas import Id, Username

#: Actor name written to the audit log for the anonymous intake channel.
ANONYMOUS = "anonymous"

M = TypeVar("M", bound=BaseModel)
_ID = TypeAdapter(Id)
_USERNAME = TypeAdapter(Username)

# Friendlier words for pydantic's messages where they would confuse a person filling in a form.
_MESSAGES = {
    "string_pattern_mismatch": "must not contain NUL characters",
    "extra_forbidden": "is not a field of this form",
    "missing": "is required",
}


def problems_of(exc: PydanticValidationError, prefix: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """The errors of ``exc`` as ``{"loc", "msg", "type"}`` dicts, without the input values.

    pydantic puts the offending input (and its context) into each error; neither is returned to a
    caller, so a password or a 10 MB body is never echoed back.
    """
    out: list[dict[str, Any]] = []
    for e in exc.errors(include_url=False, include_input=False, include_context=False):
        # A validator's own words, without pydantic's "Value error, " in front.
        msg = _MESSAGES.get(e["type"], e["msg"].removeprefix("Value error, "))
        out.append({"loc": [*prefix, *e["loc"]], "msg": msg, "type": e["type"]})
    return out


def summary(problems: list[dict[str, Any]]) -> str:
    """One line naming each field and what is wrong with it."""
    parts = []
    for p in problems:
        field = ".".join(str(x) for x in p["loc"] if x not in ("body", "query", "path"))
        parts.append(f"{field}: {p['msg']}" if field else p["msg"])
    return "; ".join(parts)


def validate(schema: type[M], data: Any) -> M:
    """``data`` (a mapping or a ``schema`` instance) checked against ``schema``.

    An instance is validated again from its fields, so no door can hand over a model built with
    ``model_construct`` or changed after validation.

    Raises
    ------
    ValidationFailed
        Naming every field that is wrong (the values themselves are not repeated).
    """
    if isinstance(data, BaseModel):
        data = data.model_dump(exclude_unset=True)
    if not isinstance(data, Mapping):
        raise ValidationFailed(f"expected the fields of {schema.__name__}, got {type(data).__name__}")
    try:
        return schema.model_validate(dict(data))
    except PydanticValidationError as exc:
        problems = problems_of(exc, ("body",))
        raise ValidationFailed(summary(problems), problems) from None


def valid_id(value: Any, what: str) -> int:
    """A database id (1 .. 2**31-1); anything else is refused naming ``what``."""
    try:
        return _ID.validate_python(value)
    except PydanticValidationError:
        raise ValidationFailed(
            f"{what} must be a whole number from 1 to {2**31 - 1}",
            [{"loc": ["path", what], "msg": "must be a whole number from 1 to 2147483647", "type": "int_range"}],
        ) from None


def valid_username(value: Any) -> str:
    """A username from a path, form or command line, checked like ``UserIn.username`` (1-80
    characters, no NUL); anything else is refused."""
    try:
        return _USERNAME.validate_python(value)
    except PydanticValidationError:
        raise ValidationFailed(
            "username: give the user's name (1 to 80 characters)",
            [{"loc": ["path", "username"], "msg": "must be 1 to 80 characters, without NUL", "type": "string_type"}],
        ) from None
