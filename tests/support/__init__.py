"""Helpers for the tests and the benchmarks, not shipped in the wheel.

* :mod:`support.synthetic`: generated people (misconduct records, rosters with planted variants).
* :mod:`support.brute_force`: exhaustive screening, the recall reference of the vetting matcher.

Importable as ``support`` from the tests (pytest puts ``tests/`` on ``sys.path`` through the
root ``conftest.py``) and from the benchmark scripts (which add ``tests/`` to ``sys.path``).
"""
