"""Models of peacewatch: democratic density, identity x opportunity, deployment risk, incidence.

Stable public API (other modules — scorecards, web — call these; names will not change):

Democratic density (:mod:`peacewatch.models.density`)
    ``io_density(io, year, overrides=True) -> Density``
        Mean Polity5 ``polity2`` of an IO's full members (COW IGO + ``membership_overrides.yml``).
    ``mission_density(mission, year, weighted=False, source="auto") -> Density``
        Mean ``polity2`` of a mission's contributing countries (IPI 2009-2014, else Geo-PKO).
    ``Density``: ``.value``, ``.n_scored``, ``.n_unscored``, ``.members`` (DataFrame ccode, country,
        polity2[, personnel]), ``.unscored``, ``.notes``, ``.source``, ``.to_dict()``.
    ``mission_density_table(years=range(...), missions=None) -> DataFrame[mission, year, density,
        density_weighted, n_scored, n_unscored, n_tccs, personnel, host_ccode, source]``

Identity x opportunity (:mod:`peacewatch.models.typology`)
    ``typology_table(years, ios, missions, host=None) -> DataFrame[unit, kind, year, density,
        personnel, identity, opportunity, cell, predicted_effect, note]``; ``classify(density, personnel)``.

Deployment risk (:mod:`peacewatch.models.deployment_risk`)
    ``fit(spec="un_full", data=None, specs_path=None) -> FittedModel`` (statsmodels Logit, SEs
        clustered by country); ``fit_all(names=None, specs_path=None) -> list[FittedModel]``;
        ``default_model(spec=None)`` (fitted once per process).
    ``FittedModel.tidy()`` -> DataFrame[model, term, estimate, std_error, statistic, p_value,
        conf_low, conf_high]; ``.glance()`` -> dict of fit statistics; ``.predict(newdata, method)``.
    ``predict_observed(panel_df, spec=None, method="delta") -> DataFrame[ccode, year, risk, risk_lo, risk_hi]``
    ``predict_planned(personnel, duration, tccs, spec=None, method="delta", **controls) -> dict``
        (``risk, risk_lo, risk_hi, method, level, spec, inputs``).
    Specifications: ``specifications.yml`` (data); ``specs.load_specifications(extra=path)`` adds yours.
    Each has an ``estimator`` (``logit``, ``conditional_logit``, ``firth``, ``ordered_logit``, ``ols``;
    :mod:`peacewatch.models.estimators`) and a ``table`` (``main``, ``alternative``, ``outcomes``);
    ``fit_all(tables=("main",))``; ``fit_available(names) -> (models, notes)`` leaves out specifications
    whose user-supplied data (the Global Slavery Index, :mod:`peacewatch.models.supplied`) are missing.

Replication (:mod:`peacewatch.models.replication`)
    ``write_replication(out_dir, models=None) -> list[Path]`` — estimation data (CSV, Parquet, Stata
    .dta, R .rds), codebook, estimates, ``replicate.R`` and ``replicate.do`` (``peacewatch model replication``).

Tables and plots (take lists of fitted models)
    ``tables.regression_table(models, fmt="html"|"latex")``, ``tables.tidy_models(models)``,
    ``plots.plot_marginal_effects(models, path, by="duration"|"tccs")``, ``plots.plot_predicted_risk(models, path)``.

Trafficking incidence (:mod:`peacewatch.models.incidence`)
    ``incidence_index(years=range(2001, 2012), weights=None) -> DataFrame[ccode, year, country,
        tip_mention, destination, sex_destination, child_sex_destination, internal_sex, index, n_indicators]``

Report (:mod:`peacewatch.models.report`)
    ``write_report(out_dir: Path) -> Path`` — one self-contained HTML file (``peacewatch report``).

Errors (:mod:`peacewatch.models.errors`, all ``ValueError``): ``UnknownIOError``,
``UnknownMissionError``, ``SpecificationError``, ``EmptySampleError``, ``SeparationError``.

Submodules are imported on use (``from peacewatch.models.density import io_density``); this package
imports nothing heavy itself.
"""
