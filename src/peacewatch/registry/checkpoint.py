"""Signed checkpoints of the audit log in the C2SP ``tlog-checkpoint`` / ``signed-note`` formats.

A checkpoint is the text ::

    <origin>
    <tree size>
    <base64 root hash>
    time <UTC time the batch was sequenced, RFC 3339>

followed by a blank line and one signature line ``— <key name> <base64(key hash || Ed25519 signature)>``
(C2SP signed-note; the same format as Go's sumdb and Tessera, so their tools verify it). The key
hash is the first 4 bytes of ``SHA-256(name || "\\n" || 0x01 || public key)``.

The signing key lives in ``audit-signing.key`` (mode 0600) beside the registry key, written as a
Go ``note`` private key (``PRIVATE+KEY+<name>+<hash>+<base64(0x01 || seed)>``). ``peacewatch
registry audit public-key`` prints the verifier key (``<name>+<hash>+<base64(0x01 || public key)>``)
to keep with exported checkpoints, off the server.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import hashlib
import secrets
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from peacewatch.registry.errors import AuditProblem

SIGNING_KEY_FILE = "audit-signing.key"
#: Origin of the logs whose key was made before origins were unique (kept by their key files).
LEGACY_ORIGIN = "peacewatch.registry/audit-log"
_ED25519 = b"\x01"
_DASH = "\u2014"


def signing_key_file() -> Path:
    """Path of the Ed25519 signing key, beside the registry key under the output directory."""
    # Imported here: parsing and checking notes needs no configuration.
    from peacewatch.registry.config import out_dir

    # Not created here: this runs for every audit batch, and the key's writer creates the directory.
    return out_dir(create=False) / SIGNING_KEY_FILE


def _note_key_id(name: str, key_type: bytes, public: bytes) -> bytes:
    """A signed-note key's 4-byte id: SHA-256 of the name, a newline, the type byte and the key."""
    return hashlib.sha256(name.encode() + b"\n" + key_type + public).digest()[:4]


def _key_hash(name: str, public: bytes) -> bytes:
    return _note_key_id(name, _ED25519, public)


def _check_name(name: str) -> str:
    if not name or any(c.isspace() for c in name) or "+" in name:
        raise AuditProblem(
            f"checkpoint origin {name!r} must be non-empty, without spaces or '+'; "
            "use e.g. `registry init --domain registry.example.org` (origin registry.example.org/audit-log)"
        )
    return name


@dataclass(frozen=True)
class Signer:
    """An Ed25519 note signer: key name (= checkpoint origin) and private key."""

    name: str
    key: Ed25519PrivateKey

    # Computed once per signer: every audit batch signs.
    @functools.cached_property
    def public(self) -> bytes:
        return self.key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)

    @functools.cached_property
    def key_hash(self) -> bytes:
        return _key_hash(self.name, self.public)

    def verifier_key(self) -> str:
        """The verifier key text ``<name>+<hex key hash>+<base64(0x01 || public key)>``."""
        return f"{self.name}+{self.key_hash.hex()}+{base64.b64encode(_ED25519 + self.public).decode()}"

    def sign(self, text: str) -> str:
        """Return the signed note: ``text`` (ending in a newline), a blank line, the signature line."""
        if not text.endswith("\n"):
            raise ValueError("note text must end with a newline")
        sig = self.key.sign(text.encode())
        blob = base64.b64encode(self.key_hash + sig).decode()
        return f"{text}\n{_DASH} {self.name} {blob}\n"


def _parse_vkey(text: str, key_type: bytes, type_error: str, hash_name: str) -> tuple[str, bytes, Ed25519PublicKey]:
    """``(name, key hash, key)`` of a note verifier key ``<name>+<hex hash>+<base64(type || key)>``
    (C2SP signed-note); ``ValueError`` naming what is wrong."""
    name, hash_hex, b64 = text.strip().split("+", 2)
    raw = base64.b64decode(b64, validate=True)
    if raw[:1] != key_type or len(raw) != 33:
        raise ValueError(type_error)
    key_hash = bytes.fromhex(hash_hex)
    if key_hash != _note_key_id(name, key_type, raw[1:]):
        raise ValueError(f"{hash_name} does not match the key")
    return name, key_hash, Ed25519PublicKey.from_public_bytes(raw[1:])


@dataclass(frozen=True)
class Verifier:
    """A verifier key parsed from its text form."""

    name: str
    key_hash: bytes
    key: Ed25519PublicKey

    @classmethod
    def parse(cls, text: str) -> Verifier:
        """Parse ``<name>+<hex hash>+<base64 key>``; raise :class:`AuditProblem` when malformed."""
        try:
            return cls(*_parse_vkey(text, _ED25519, "not an Ed25519 key", "key hash"))
        except ValueError as exc:
            raise AuditProblem(
                f"verifier key {text.strip()[:60]!r} is malformed ({exc}); "
                "use the output of `peacewatch registry audit public-key`"
            ) from exc


@dataclass(frozen=True)
class Checkpoint:
    """A parsed, signature-checked checkpoint."""

    origin: str
    size: int
    root: bytes
    time: str | None
    note: str


def checkpoint_text(origin: str, size: int, root: bytes, when: dt.datetime) -> str:
    """The unsigned checkpoint body (C2SP tlog-checkpoint with a ``time`` extension line)."""
    stamp = when.replace(microsecond=0).isoformat() + "Z"
    return f"{origin}\n{size}\n{base64.b64encode(root).decode()}\ntime {stamp}\n"


def open_checkpoint_any(note: str, verifiers: Sequence[Verifier], source: str = "checkpoint") -> Checkpoint:
    """:func:`open_checkpoint` with several pinned keys of the log (e.g. old and new during a key
    rotation): the note must carry a valid signature by at least one of them."""
    if not verifiers:
        raise AuditProblem(f"{source}: no pinned verifier key to check it with")
    problems = []
    for v in verifiers:
        try:
            return open_checkpoint(note, v, source)
        except AuditProblem as exc:
            problems.append(str(exc))
    altered = [p for p in problems if "does not match the text" in p]
    raise AuditProblem(
        (altered or problems)[0]
        if len(verifiers) == 1 or altered
        else f"{source}: no signature by any of the {len(verifiers)} pinned keys"
    )


def open_checkpoint(note: str, verifier: Verifier, source: str = "checkpoint") -> Checkpoint:
    """Check the signature of a signed checkpoint note and parse it.

    Raises :class:`AuditProblem` naming ``source`` when the note is malformed, signed by another key
    or altered after signing.
    """
    text, sep, sigs = note.partition("\n\n")
    if not sep:
        raise AuditProblem(f"{source}: not a signed note (no blank line before the signature)")
    text += "\n"
    good = False
    for line in sigs.splitlines():
        parts = line.split(" ")
        if len(parts) != 3 or parts[0] != _DASH:
            raise AuditProblem(f"{source}: malformed signature line {line[:60]!r}")
        if parts[1] != verifier.name:
            continue
        try:
            blob = base64.b64decode(parts[2], validate=True)
        except ValueError as exc:
            raise AuditProblem(f"{source}: signature is not base64") from exc
        if blob[:4] != verifier.key_hash:
            continue
        try:
            verifier.key.verify(blob[4:], text.encode())
        except InvalidSignature as exc:
            raise AuditProblem(
                f"{source}: the signature does not match the text: the checkpoint was altered or signed by another key"
            ) from exc
        good = True
    if not good:
        raise AuditProblem(f"{source}: no signature by key {verifier.name!r} ({verifier.key_hash.hex()})")
    lines = text.splitlines()
    try:
        origin, size, root = lines[0], int(lines[1]), base64.b64decode(lines[2], validate=True)
        if len(root) != 32 or size < 0:
            raise ValueError
    except (IndexError, ValueError) as exc:
        raise AuditProblem(f"{source}: not a checkpoint (origin, tree size, base64 root hash)") from exc
    if origin != verifier.name:
        raise AuditProblem(f"{source}: checkpoint of log {origin!r}, not of {verifier.name!r}")
    when = next((ln[5:] for ln in lines[3:] if ln.startswith("time ")), None)
    return Checkpoint(origin, size, root, when, note)


# --- witness cosignatures (C2SP tlog-cosignature/v1, Ed25519, signature type 0x04) -------------

_COSIGNATURE = b"\x04"


def _cosigner_hash(name: str, public: bytes) -> bytes:
    return _note_key_id(name, _COSIGNATURE, public)


def _cosigned_message(body: str, timestamp: int) -> bytes:
    return f"cosignature/v1\ntime {timestamp}\n{body}".encode()


@dataclass(frozen=True)
class Cosigner:
    """A witness's Ed25519 cosigning key (C2SP tlog-cosignature/v1)."""

    name: str
    key: Ed25519PrivateKey

    @functools.cached_property
    def public(self) -> bytes:
        return self.key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)

    def verifier_key(self) -> str:
        """``<name>+<hex key id>+<base64(0x04 || public key)>``."""
        return (
            f"{self.name}+{_cosigner_hash(self.name, self.public).hex()}+"
            f"{base64.b64encode(_COSIGNATURE + self.public).decode()}"
        )

    def cosign(self, note: str, timestamp: int) -> str:
        """The cosignature line (ending in a newline) for the checkpoint ``note`` at ``timestamp``."""
        body = note.partition("\n\n")[0] + "\n"
        sig = self.key.sign(_cosigned_message(body, timestamp))
        blob = _cosigner_hash(self.name, self.public) + timestamp.to_bytes(8, "big") + sig
        return f"{_DASH} {self.name} {base64.b64encode(blob).decode()}\n"


@dataclass(frozen=True)
class WitnessKey:
    """A pinned witness verifier key (signature type 0x04)."""

    name: str
    key_hash: bytes
    key: Ed25519PublicKey

    @classmethod
    def parse(cls, text: str) -> WitnessKey:
        """Parse ``<name>+<hex key id>+<base64(0x04 || key)>``; raise :class:`AuditProblem` when malformed."""
        try:
            return cls(*_parse_vkey(text, _COSIGNATURE, "not an Ed25519 cosignature/v1 key (type 0x04)", "key id"))
        except ValueError as exc:
            raise AuditProblem(
                f"witness key {text.strip()[:60]!r} is malformed ({exc}); use the witness's "
                "verifier key (name+id+base64 of 0x04 and the Ed25519 key)"
            ) from exc


def cosigned_by(note: str, witness: WitnessKey) -> int | None:
    """Timestamp of a valid cosignature by ``witness`` on ``note``, or None (other lines ignored)."""
    text, sep, sigs = note.partition("\n\n")
    if not sep:
        return None
    body = text + "\n"
    for line in sigs.splitlines():
        parts = line.split(" ")
        if len(parts) != 3 or parts[0] != _DASH or parts[1] != witness.name:
            continue
        try:
            blob = base64.b64decode(parts[2], validate=True)
        except ValueError:
            continue
        if len(blob) != 4 + 8 + 64 or blob[:4] != witness.key_hash:
            continue
        timestamp = int.from_bytes(blob[4:12], "big")
        try:
            witness.key.verify(blob[12:], _cosigned_message(body, timestamp))
        except InvalidSignature:
            continue
        return timestamp
    return None


def add_signatures(note: str, lines: str) -> str:
    """``note`` with the signature ``lines`` appended (each already ending in a newline)."""
    return note if not lines else note + ("" if note.endswith("\n") else "\n") + lines


# Process-wide: parsed key files, keyed by path (the key belongs to the output directory, not a database).
_cache: dict[Path, Signer] = {}
_cache_lock = threading.Lock()


def new_origin(domain: str | None = None) -> str:
    """A log origin unique to this deployment: ``<domain>/audit-log`` when a domain is given (env
    ``PEACEWATCH_AUDIT_ORIGIN`` overrides both), else ``peacewatch.registry/audit-log-<random>``."""
    from peacewatch.settings import current

    chosen = (current().audit_origin or "").strip()
    if chosen:
        return _check_name(chosen)
    if domain:
        return _check_name(f"{domain.strip().strip('/')}/audit-log")
    return f"{LEGACY_ORIGIN}-{secrets.token_hex(6)}"


def load_signer(create: bool = True, domain: str | None = None) -> Signer:
    """Load (or create, mode 0600) the signing key from :func:`signing_key_file`.

    A new key gets the origin :func:`new_origin` (``domain``); an existing key keeps its own.

    Raises :class:`AuditProblem` when it is missing and ``create`` is false, or malformed, and
    :class:`~peacewatch.registry.errors.UnsafeFile` when group or others can read it.
    """
    from peacewatch.registry.files import check_private, create_private, write_private

    path = signing_key_file()
    with _cache_lock:
        if path in _cache and path.exists():
            check_private(path)
            return _cache[path]
        if not path.exists():
            if not create:
                raise AuditProblem(f"no audit signing key at {path}; run `peacewatch registry init`")
            name = new_origin(domain)
            key = Ed25519PrivateKey.generate()
            seed = key.private_bytes_raw()
            pub = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
            body = f"PRIVATE+KEY+{name}+{_key_hash(name, pub).hex()}+{base64.b64encode(_ED25519 + seed).decode()}\n"
            create_private(path)
            write_private(path, body.encode())
        check_private(path)
        try:
            _, _, name, _, b64 = path.read_text().strip().split("+", 4)
            raw = base64.b64decode(b64, validate=True)
            if raw[:1] != _ED25519 or len(raw) != 33:
                raise ValueError
            signer = Signer(_check_name(name), Ed25519PrivateKey.from_private_bytes(raw[1:]))
        except ValueError as exc:
            raise AuditProblem(f"{path} is not an audit signing key (PRIVATE+KEY+name+hash+base64)") from exc
        _cache[path] = signer
        return signer


def rotate_signing_key() -> tuple[Signer, Signer, Path]:
    """Make a new signing key for the same log (same origin); the old key file is kept beside it as
    ``audit-signing.key.<old key hash>.retired`` (0600). Returns (old, new, retired path).

    Checkpoints signed before stay signed by the old key: verifiers pin both keys until they hold
    a checkpoint signed by the new one (see docs/registry.md, *Key rotation*).
    """
    from peacewatch.registry.files import create_private, write_private

    old = load_signer(create=False)
    path = signing_key_file()
    retired = path.with_name(f"{SIGNING_KEY_FILE}.{old.key_hash.hex()}.retired")
    write_private(retired, path.read_bytes())
    key = Ed25519PrivateKey.generate()
    pub = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    body = (
        f"PRIVATE+KEY+{old.name}+{_key_hash(old.name, pub).hex()}+"
        f"{base64.b64encode(_ED25519 + key.private_bytes_raw()).decode()}\n"
    )
    create_private(path)
    write_private(path, body.encode())
    with _cache_lock:
        _cache.pop(path, None)
    return old, load_signer(create=False), retired
