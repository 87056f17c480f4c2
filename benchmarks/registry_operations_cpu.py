"""CPU per registry operation, in-process: no HTTP, one thread, a fresh SQLite registry.

Prints the process CPU time per call of the API's hot operations (each in its own transaction, as
a route runs it through ``Caller.run``): the token check alone, an audited case read (its audit
batch included: one thread means one batch per read), the same read without the audit entry, a
list of 20 cases and a new case with encrypted victim details. ``--profile get|list|post|auth``
prints cProfile's top functions for one of them instead. Nothing is asserted.

Run: ``python benchmarks/registry_operations_cpu.py [--calls 400] [--profile get]``
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import tempfile
import time

from cryptography.fernet import Fernet

CASE = {"mission": "MINUSCA", "tcc_ccode": 770, "category": "sexual_exploitation",
        "summary": "Load-test allegation", "subject_name": "Test Subject", "victim": {"name": "Test Victim", "age": 20}}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--calls", type=int, default=400)
    ap.add_argument("--profile", choices=["get", "list", "post", "auth"])
    a = ap.parse_args()
    tmp = tempfile.mkdtemp()
    os.environ.setdefault("PEACEWATCH_SECRET_KEY", Fernet.generate_key().decode())
    os.environ["PEACEWATCH_OUT_DIR"] = tmp
    from peacewatch.registry import auth, cases, policy
    from peacewatch.registry import operations as ops
    from peacewatch.registry.service import Registry

    reg = Registry(f"sqlite:///{tmp}/registry.sqlite")
    with reg.session() as s:
        u = auth.create_user(s, "load", "load-test-password-xyz", auth.COORDINATOR)
        for _ in range(200):
            cases.create_case(s, u.user, mission="MINUSCA", tcc_ccode=770, category="sexual_exploitation",
                              summary="seed", subject_name="Test Subject", victim={"name": "V", "age": 20})
    tok = u.token

    def only_auth():
        with reg.as_user(tok, read_only=True):
            pass

    def get():
        policy.perform(reg, tok, ops.cases.get_case, 57)

    def get_without_audit():
        with reg.as_user(tok, read_only=True) as (s, user):
            cases.case_dict(cases._load_visible(s, user, 57, with_events=True), user, s)

    def listing():
        policy.perform(reg, tok, ops.cases.list_cases, {"limit": 20})

    def post():
        policy.perform(reg, tok, ops.cases.create_case, CASE)

    named = {"auth": only_auth, "get": get, "list": listing, "post": post}
    if a.profile:
        fn = named[a.profile]
        prof = cProfile.Profile()
        prof.enable()
        for _ in range(a.calls):
            fn()
        prof.disable()
        pstats.Stats(prof).sort_stats("tottime").print_stats(30)
        return
    print("| operation | CPU ms per call |\n|---|---:|")
    for label, fn, n in [("token check only (read)", only_auth, a.calls), ("case read, audited", get, a.calls),
                         ("case read, no audit entry", get_without_audit, a.calls),
                         ("list of 20 cases, audited", listing, a.calls), ("new case", post, a.calls // 2)]:
        for _ in range(30):
            fn()
        t0 = time.process_time()
        for _ in range(n):
            fn()
        print(f"| {label} | {(time.process_time() - t0) / n * 1000:.2f} |")
    reg.dispose()


if __name__ == "__main__":
    main()
