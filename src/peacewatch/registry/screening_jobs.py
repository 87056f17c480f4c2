"""Large screenings as background jobs, with progress and a result.

The uploaded roster is written to a private temporary file (mode 0600, deleted when the job ends),
read row by row and screened in chunks by one worker thread, outside any database transaction; the
screening and its hits are stored in one short transaction at the end, so a long screening never
blocks other writers. Only the user who started a job sees it (another user's job answers "not
found", like a job that does not exist). Jobs live in the server process: a restart forgets jobs
that had not finished (their screenings were never stored, nothing is half-written).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import secrets
import tempfile
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, BinaryIO

from sqlalchemy.orm import Session

from peacewatch.registry import audit, vetting
from peacewatch.registry.errors import NotFound, RegistryError, ValidationFailed
from peacewatch.registry.models import User, utcnow
from peacewatch.registry.runtime import SCREENING_WORKERS

if TYPE_CHECKING:
    from peacewatch.registry.service import Registry

log = logging.getLogger(__name__)
QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
_KEEP = dt.timedelta(days=1)  # finished jobs are forgotten after a day
_COPY_BLOCK = 1 << 20


@dataclass
class ScreeningJob:
    """State of one background screening (read by the status page)."""

    id: str
    owner_id: int
    label: str
    threshold: float
    created_at: dt.datetime
    status: str = QUEUED
    rows_done: int = 0
    screening_id: int | None = None
    error: str | None = None
    future: Future[None] | None = field(default=None, repr=False)

    def as_dict(self) -> dict[str, Any]:
        return {
            "job_id": self.id,
            "label": self.label,
            "status": self.status,
            "rows_done": self.rows_done,
            "screening_id": self.screening_id,
            "error": self.error,
        }


class ScreeningJobs:
    """Background screenings of one registry (one worker: screenings queue rather than compete).

    Parameters
    ----------
    registry
        The :class:`~peacewatch.registry.service.Registry` whose database the jobs screen against.
    """

    def __init__(self, registry: Registry, workers: int = SCREENING_WORKERS):
        self.registry = registry
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="screening")
        self._jobs: dict[str, ScreeningJob] = {}
        self._lock = threading.Lock()

    def submit(
        self,
        session: Session,
        user: User,
        upload: BinaryIO,
        label: str = "roster",
        threshold: float = vetting.DEFAULT_THRESHOLD,
    ) -> ScreeningJob:
        """Queue a screening of the roster CSV in ``upload`` (a binary stream, copied in blocks to
        a private temporary file); audited. Who may: :mod:`peacewatch.registry.policy` (``vetting.submit_job``)."""
        if not 0.5 <= threshold <= 1.0:
            raise ValidationFailed("threshold must be between 0.5 and 1.0")
        fd, path = tempfile.mkstemp(prefix="pw-roster-", suffix=".csv")  # mode 0600
        try:
            with os.fdopen(fd, "wb") as out:
                while block := upload.read(_COPY_BLOCK):
                    out.write(block)
        except BaseException:
            os.unlink(path)
            raise
        job = ScreeningJob(
            id=secrets.token_urlsafe(12),
            owner_id=user.id,
            label=(label or "roster")[:200],
            threshold=threshold,
            created_at=utcnow(),
        )
        audit.record(session, user.username, "submit", "screening_job", job.id, {"label": job.label})
        with self._lock:
            self._forget_old()
            self._jobs[job.id] = job
        job.future = self._pool.submit(self._run, job, path)
        return job

    def status(self, user: User, job_id: str) -> ScreeningJob:
        """The job ``job_id`` if ``user`` started it (else :class:`NotFound`, as for no such job)."""
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None or job.owner_id != user.id:
            raise NotFound(f"no screening job {job_id!r} of yours (finished jobs are kept for a day)")
        return job

    def _run(self, job: ScreeningJob, path: str) -> None:
        job.status = RUNNING
        try:
            with self.registry.session() as s:
                user = s.get(User, job.owner_id)
                if user is None or not user.active:
                    raise ValidationFailed("the account that started this screening was deactivated")
                index = vetting.record_index(s)
            hits, rows = [], 0
            for part in vetting._chunks(vetting.stream_roster_file(path, job.label), 5_000):
                hits.extend(vetting.chunk_hits(part, index, job.threshold))
                rows += len(part)
                job.rows_done = rows
            with self.registry.session() as s:
                user = s.get(User, job.owner_id)
                assert user is not None  # found above; accounts are deactivated, never deleted
                job.screening_id = vetting.record_screening(s, user, job.label, job.threshold, rows, hits).id
            job.status = DONE
        except RegistryError as exc:
            job.status, job.error = FAILED, str(exc)
        except Exception:  # the user gets a short message, the log the details
            log.exception("screening job %s failed", job.id)
            job.status, job.error = FAILED, "the screening failed on the server; nothing was stored"
        finally:
            os.unlink(path)

    def _forget_old(self) -> None:
        cutoff = utcnow() - _KEEP
        for key in [k for k, j in self._jobs.items() if j.status in (DONE, FAILED) and j.created_at < cutoff]:
            del self._jobs[key]

    def shutdown(self) -> None:
        """Wait for running jobs and stop the worker."""
        self._pool.shutdown(wait=True)
