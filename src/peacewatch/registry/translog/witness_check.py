"""What ``audit verify`` trusts: pinned keys and checkpoint files, read without following links."""

from __future__ import annotations

from pathlib import Path

from peacewatch.registry import checkpoint as cp
from peacewatch.registry.errors import AuditProblem
from peacewatch.registry.files import read_no_follow
from peacewatch.settings import current


def read_text(path: Path, what: str) -> str:
    """The UTF-8 text of ``path``, refusing a symbolic link; one-line :class:`AuditProblem` otherwise."""
    try:
        return read_no_follow(path).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise AuditProblem(f"{what} {path} is not UTF-8 text") from exc
    except OSError as exc:
        if path.is_symlink():
            raise AuditProblem(f"{what} {path} is a symbolic link; refused (copy the file itself)") from exc
        raise AuditProblem(f"cannot read {what} {path}: {exc.strerror}") from exc


def pinned_keys(keys: list[str], trusted_file: Path | None) -> list[cp.Verifier]:
    """The verifier keys given with ``--key`` and in ``--trusted-keys`` (one per line, # comments);
    without either, those of the setting ``PEACEWATCH_AUDIT_VERIFIER_KEY`` (separated by spaces)."""
    texts = list(keys)
    if not texts and trusted_file is None:
        texts = (current().audit_verifier_key or "").split()
    if trusted_file is not None:
        for n, line in enumerate(read_text(trusted_file, "trusted-keys file").splitlines(), 1):
            line = line.split("#", 1)[0].strip()
            if line:
                try:
                    cp.Verifier.parse(line)
                except AuditProblem as exc:
                    raise AuditProblem(f"{trusted_file} line {n}: {exc}") from exc
                texts.append(line)
    return [cp.Verifier.parse(t) for t in texts if t.strip()]


def checkpoint_files(given: list[Path], witness_dir: Path | None) -> list[Path]:
    """The ``--checkpoint`` files, then every ``*.checkpoint`` of the witness directory (all of them)."""
    files = list(given)
    if witness_dir is not None and witness_dir.is_dir() and not witness_dir.is_symlink():
        files += sorted(witness_dir.glob("*.checkpoint"))
    elif witness_dir is not None and witness_dir.is_symlink():
        raise AuditProblem(f"witness directory {witness_dir} is a symbolic link; refused")
    return files


def cosignature_problem(
    notes: dict[Path, str], given: list[Path], witnesses: list[cp.WitnessKey], quorum: int
) -> str | None:
    """The k-of-n cosignature policy: every ``given`` checkpoint, and at least one of ``notes`` (the
    newest cosigned one is the one that matters), must carry valid cosignatures of ``quorum``
    distinct pinned ``witnesses``. Returns the one-line reason when not."""
    if not witnesses:
        return None

    def count(note: str) -> int:
        return sum(cp.cosigned_by(note, w) is not None for w in witnesses)

    for f in given:
        have = count(notes[f])
        if have < quorum:
            return (
                f"checkpoint {f} carries valid cosignatures of {have} of the {len(witnesses)} pinned witnesses; "
                f"the policy needs {quorum}"
            )
    if not any(count(n) >= quorum for n in notes.values()):
        return (
            f"no checkpoint carries valid cosignatures of {quorum} of the {len(witnesses)} pinned witnesses "
            "(run `peacewatch registry audit witness`, or the log was forked and the witnesses refused it)"
        )
    return None


def open_all(
    files: list[Path], keys: list[cp.Verifier], notes: dict[Path, str] | None = None
) -> tuple[list[cp.Checkpoint], str | None]:
    """Open every file as a checkpoint signed by a pinned key.

    Returns the checkpoints and, when one is not acceptable, the one-line reason (a verification
    failure: bad or missing signature, a symbolic link, two different roots for one size). Raises
    :class:`AuditProblem` when nothing can be verified (no pinned key, unreadable file).
    """
    if files and not keys:
        raise AuditProblem(
            "no pinned verifier key: pass --key or --trusted-keys (the output of "
            "`peacewatch registry audit public-key`, kept off the server)"
        )
    opened: list[cp.Checkpoint] = []
    by_size: dict[int, tuple[Path, cp.Checkpoint]] = {}
    for f in files:
        if f.is_symlink():
            return opened, f"checkpoint {f} is a symbolic link; refused"
        note = read_text(f, "checkpoint")
        if notes is not None:
            notes[f] = note
        try:
            c = cp.open_checkpoint_any(note, keys, str(f))
        except AuditProblem as exc:
            return opened, str(exc)
        seen = by_size.get(c.size)
        if seen is not None and seen[1].root != c.root:
            return opened, (
                f"checkpoints {seen[0]} and {f} both cover {c.size} entries with different roots: the log was forked"
            )
        by_size[c.size] = (f, c)
        opened.append(c)
    return opened, None
