"""The audit log's transparency-log parts, split the way Tessera splits a log.

* :mod:`.leaf` -- the leaf format (RFC 8785 canonical JSON), specified in ``docs/registry.md``.
* :mod:`.store` -- reads of the stored leaf hashes and checkpoints (the only SQL of the proofs).
* :mod:`.proofs` -- RFC 9162 inclusion and consistency proofs against any earlier tree size.
* :mod:`.tiles` -- the log as C2SP ``tlog-tiles`` (hash tiles, redacted entry bundles).
* :mod:`.verifier` -- what an outsider runs: depends only on :mod:`peacewatch.registry.merkle`
  and :mod:`peacewatch.registry.checkpoint`, so it can be shipped alone.
* :mod:`.appender` -- leaves after the tree head, head update, signed checkpoint; the registry's
  :class:`~peacewatch.registry.service.Registry` calls it explicitly around each commit.
* :mod:`.sequencer` -- group commit of read-only requests' entries.
* :mod:`.witness` (directory copies), :mod:`.witness_check` (what ``audit verify`` trusts),
  :mod:`.witness_client` and :mod:`.witness_server` (C2SP ``tlog-witness``).

Domain code records entries with :func:`peacewatch.registry.audit.record` only.
"""
