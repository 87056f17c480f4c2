"""What the log's parts share: the tables, an entry waiting to become a leaf, and the clock."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Table

from peacewatch.registry.models import (
    AuditAnonymous,
    AuditCheckpoint,
    AuditEntry,
    AuditTree,
    utcnow,
)

ANONYMOUS = "anonymous"
# Declarative classes map Tables; their stubs type ``__table__`` as any FromClause.
LOG = cast(Table, AuditEntry.__table__)
ANON = cast(Table, AuditAnonymous.__table__)
TREE = cast(Table, AuditTree.__table__)
CHECKPOINTS = cast(Table, AuditCheckpoint.__table__)
#: (at, actor, action, entity, entity_id, detail): a leaf to append, without its seq.
LeafFields = tuple[str, str, str, str, str, str]


def now() -> dt.datetime:
    """Current UTC time (one function for recording and sequencing, so tests can move the clock)."""
    return utcnow()


@dataclass
class Pending:
    """An entry recorded but not yet a leaf."""

    at: str
    actor: str
    action: str
    entity: str
    entity_id: str
    detail: str

    def leaf_fields(self) -> LeafFields:
        """(at, actor, action, entity, entity_id, detail): a leaf to append, without its seq."""
        return (self.at, self.actor, self.action, self.entity, self.entity_id, self.detail)

    def anonymous_row(self) -> dict[str, Any]:
        """Row of ``audit_anonymous``: random key, the day only, no order."""
        return {
            "key": secrets.token_hex(16),
            "day": self.at[:10],
            "action": self.action,
            "entity": self.entity,
            "entity_id": self.entity_id,
            "detail": self.detail,
        }
