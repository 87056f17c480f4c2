"""The audit log's transparency-log parts, split the way Tessera splits a log.

* :mod:`.leaf` -- the leaf format (RFC 8785 canonical JSON), specified in ``docs/registry.md``.
* :mod:`.store` -- reads of the stored leaf hashes and checkpoints (the only SQL of the proofs).
* :mod:`.proofs` -- RFC 9162 inclusion and consistency proofs against any earlier tree size.
* :mod:`.tiles` -- the log as C2SP ``tlog-tiles`` (hash tiles, redacted entry bundles).
* :mod:`.verifier` -- what an outsider runs: depends only on :mod:`peacewatch.registry.merkle`
  and :mod:`peacewatch.registry.checkpoint`, so it can be shipped alone.

The appender and the group-commit sequencer are in :mod:`peacewatch.registry.audit`; the
registry's :class:`~peacewatch.registry.service.Registry` calls the appender explicitly in the
transaction of each request.
"""
