"""Accountability registry: allegations and their life cycle, referral clocks for troop-contributing
countries, anonymous whistleblower intake, vetting against misconduct records, national compliance
reports and training records, with roles, encryption at rest and a hash-chained audit log.

Entry points: :func:`peacewatch.registry.api.build_router` / :func:`~peacewatch.registry.api.create_app`
(JSON API), :class:`peacewatch.registry.service.Registry` (sessions), :mod:`peacewatch.registry.stats`
(scorecard tables) and ``peacewatch registry ...`` (:mod:`peacewatch.registry.cli`). See docs/registry.md.
"""
