"""Large screenings as background jobs: streamed upload, progress, result, errors, ownership."""

from __future__ import annotations

import io
import os
import stat

import pytest
from support.synthetic import make_records, make_roster

from peacewatch.registry import auth, policy, vetting
from peacewatch.registry import operations as ops
from peacewatch.registry.errors import Forbidden, NotFound
from peacewatch.registry.models import Screening
from peacewatch.registry.screening_jobs import DONE, FAILED, ScreeningJobs


@pytest.fixture
def jobs(registry):
    j = ScreeningJobs(registry)
    yield j
    j.shutdown()


def _users(registry, people, *names):
    with registry.session() as s:
        return [auth.user_for_token(s, people.tokens[n]) for n in names]


def test_a_large_roster_is_screened_in_the_background(registry, people, jobs, tmp_path, monkeypatch):
    records = make_records(2000, seed=7)
    roster = make_roster(records, 12_000, planted_share=0.01, seed=8)
    with registry.session() as s:
        inv = auth.user_for_token(s, people.tokens["inv"])
        vetting.import_records_csv(
            s,
            inv,
            "full_name,date_of_birth,nationality,category\n"
            + "".join(
                f"{r.name},{r.dob},{'' if r.nationality != r.nationality else int(r.nationality)},sexual_abuse\n"
                for r in records.itertuples()
            ),
        )
    body = "name,date_of_birth,nationality\n" + "".join(
        f"{r.name},{r.dob},{'' if r.nationality != r.nationality else int(r.nationality)}\n"
        for r in roster.itertuples()
    )
    seen_paths = []
    real_mkstemp = __import__("tempfile").mkstemp

    def spy(*a, **kw):
        fd, path = real_mkstemp(*a, **kw)
        seen_paths.append((path, stat.S_IMODE(os.stat(path).st_mode)))
        return fd, path

    monkeypatch.setattr("peacewatch.registry.screening_jobs.tempfile.mkstemp", spy)
    with registry.session() as s:
        inv = auth.user_for_token(s, people.tokens["inv"])
        job = jobs.submit(s, inv, io.BytesIO(body.encode()), "contingent.csv", 0.8)
    assert seen_paths[0][1] == 0o600  # the roster holds personal data
    job.future.result(timeout=300)
    (inv,) = _users(registry, people, "inv")
    done = jobs.status(inv, job.id)
    assert done.status == DONE and done.rows_done == 12_000 and done.error is None
    assert not os.path.exists(seen_paths[0][0])  # the copy of the roster is gone
    with registry.session() as s:
        assert s.get(Screening, done.screening_id).roster_rows == 12_000
        hits = vetting.screening_hits(s, inv, done.screening_id)
    # Database ids differ from the generator's (PostgreSQL sequences are not reset): compare names.
    names = dict(zip(records["record_id"], records["name"]))
    planted = {(int(r.Index) + 2, names[r.true_record_id]) for r in roster.itertuples() if r.true_record_id}
    found = {(h["row_number"], h["record_name"]) for h in hits}
    assert len(planted) == 120 and len(planted & found) >= 118


def test_a_bad_row_fails_the_job_with_its_row_and_stores_nothing(registry, people, jobs):
    (inv,) = _users(registry, people, "inv")
    body = b"name,date_of_birth,nationality\nAnna Berg,1990-01-01,380\nBad Date,2001-02-30,2\n"
    with registry.session() as s:
        job = jobs.submit(s, inv, io.BytesIO(body), "late.csv")
    job.future.result(timeout=60)
    assert (
        job.status == FAILED
        and job.error
        == "late.csv row 3: date_of_birth '2001-02-30' is not a date; write it as YYYY-MM-DD or leave it empty"
    )
    with registry.session() as s:
        assert s.query(Screening).count() == 0


def test_only_the_owner_sees_a_job(registry, people, jobs):
    inv, coord, liaison = _users(registry, people, "inv", "coord", "liaison_a")
    with registry.session() as s:
        job = jobs.submit(s, inv, io.BytesIO(b"name,date_of_birth,nationality\nAnna Berg,1990-01-01,380\n"))
        with pytest.raises(Forbidden):
            policy.Actor(s, liaison, False)(ops.vetting.submit_job, jobs, io.BytesIO(b"x"), "roster", 0.8)
    job.future.result(timeout=60)
    with pytest.raises(NotFound) as other:
        jobs.status(coord, job.id)
    with pytest.raises(NotFound) as missing:
        jobs.status(coord, "no-such-job")
    assert str(other.value).replace(job.id, "X") == str(missing.value).replace("no-such-job", "X")
