"""Alternative specifications and outcomes: each estimator against something independent (a closed
form, another package, the likelihood written out here), then the real estimates."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from firthmodels import FirthLogisticRegression
from scipy.optimize import minimize
from scipy.special import expit
from statsmodels.discrete.conditional_models import ConditionalLogit

from peacewatch.models import estimators as E
from peacewatch.models.deployment_risk import default_model, fit
from peacewatch.models.specs import Specification, load_specifications


# ------------------------------------------------------------------------------ Firth
def test_firth_two_by_two_equals_half_added_to_each_cell():
    # A saturated 2x2 logit: Firth's estimate is the ML estimate of the table with 1/2 added to every
    # cell (Firth 1993; Heinze & Schemper 2002). A zero cell (separation) still gives a finite slope.
    cells = {(0, 0): 7, (0, 1): 3, (1, 0): 0, (1, 1): 9}  # (x, y): count; x = 1 always has y = 1
    rows = [(x, y) for (x, y), n in cells.items() for _ in range(n)]
    df = pd.DataFrame(rows, columns=["x", "y"])
    X = pd.DataFrame({"Intercept": 1.0, "x": df["x"].astype(float)})
    est = E.firth_logit(df["y"].to_numpy(), X, np.arange(len(df)))
    a, b, c, d = (cells[(0, 1)] + 0.5, cells[(0, 0)] + 0.5, cells[(1, 1)] + 0.5, cells[(1, 0)] + 0.5)
    assert est.params["Intercept"] == pytest.approx(np.log(a / b), abs=1e-8)
    assert est.params["x"] == pytest.approx(np.log(c / d) - np.log(a / b), abs=1e-8)


def test_firth_matches_firthmodels_and_clustered_se_by_hand():
    rng = np.random.default_rng(3)
    n, g = 240, 30
    x1, x2 = rng.normal(size=n), rng.binomial(1, 0.1, size=n).astype(float)
    y = rng.binomial(1, expit(-0.5 + 0.9 * x1)).astype(float)
    y[x2 == 1] = 1.0  # x2 separates the outcome: no ML estimate
    X = pd.DataFrame({"Intercept": 1.0, "x1": x1, "x2": x2})
    groups = np.repeat(np.arange(g), n // g)
    est = E.firth_logit(y, X, groups)
    ref = FirthLogisticRegression(gtol=1e-10, xtol=1e-10, max_iter=200).fit(np.column_stack([x1, x2]), y)
    np.testing.assert_allclose(est.params.to_numpy(), [ref.intercept_, *ref.coef_], rtol=0, atol=1e-6)
    # the sandwich of the modified scores, written out here
    b = est.params.to_numpy()
    Xv = X.to_numpy()
    p = expit(Xv @ b)
    w = p * (1 - p)
    info_inv = np.linalg.inv(Xv.T @ (Xv * w[:, None]))
    h = np.array([w[i] * Xv[i] @ info_inv @ Xv[i] for i in range(n)])
    u = Xv * (y - p + h * (0.5 - p))[:, None]
    meat = sum(np.outer(u[groups == k].sum(0), u[groups == k].sum(0)) for k in range(g))
    V = g / (g - 1) * (n - 1) / (n - 3) * info_inv @ meat @ info_inv
    np.testing.assert_allclose(est.cov.to_numpy(), V, rtol=1e-8, atol=1e-12)


# ------------------------------------------------------------------------------ conditional logit
def test_conditional_logit_pairs_equal_logit_of_differences():
    # With two observations and one event per group, P(y1 = 1 | sum = 1) = logistic((x1 - x2)'b): the
    # conditional logit is the no-intercept logit of the within-pair differences.
    rng = np.random.default_rng(11)
    g = 300
    x = rng.normal(size=(2 * g, 2))
    first_is_event = rng.binomial(1, expit((x[0::2] - x[1::2]) @ np.array([0.8, -0.4]))).astype(bool)
    y = np.zeros(2 * g)
    y[0::2], y[1::2] = first_is_event, ~first_is_event
    groups = np.repeat(np.arange(g), 2)
    est = E.conditional_logit(y, pd.DataFrame(x, columns=["a", "b"]), groups)
    diff = sm.Logit(first_is_event.astype(float), x[0::2] - x[1::2]).fit(disp=0, method="newton", tol=1e-12)
    np.testing.assert_allclose(est.params.to_numpy(), diff.params, rtol=0, atol=1e-7)
    assert est.llf == pytest.approx(diff.llf, abs=1e-8)


def test_conditional_logit_real_matches_statsmodels_and_drops_constant_countries():
    m = fit("fe_country_year")
    sample = m.data
    # statsmodels' own conditional likelihood (a recursion, not our enumeration) at our estimate: zero score
    X = pd.get_dummies(sample["year"], prefix="y", drop_first=True, dtype=float)
    slopes = [t for t in m.params.index if not t.startswith("C(year)")]
    import patsy

    design = patsy.dmatrix(m.spec.formula.split("~", 1)[1], sample, return_type="dataframe").drop(columns="Intercept")
    design = design[m.params.index]
    ref = ConditionalLogit(sample["hti_pdest"].to_numpy(), design.to_numpy(), groups=sample["ccode"].to_numpy())
    assert np.abs(ref.score(m.params.to_numpy())).max() < 1e-6
    assert ref.loglike(m.params.to_numpy()) == pytest.approx(m.result.llf, abs=1e-8)
    assert len(X.columns) == 10 and len(slopes) == 9
    # the countries dropped, counted here from the panel
    full = fit("un_full").data
    per = full.groupby("ccode")["hti_pdest"].agg(["min", "max"])
    always1, always0 = int((per["min"] == 1).sum()), int((per["max"] == 0).sum())
    # (52, 15), was (51, 15): the corrected Polity5 coding (341 is Kosovo, issue 23) adds Kosovo 2009-2011,
    # a destination in every HTI year (HTI.csv, ccode 347: pdest "Yes" 2009-2011); it is dropped here too
    assert (always1, always0) == (52, 15)
    assert m.notes[0].startswith(
        f"{always1 + always0} of {len(per)} countries dropped because their outcome never changes "
        f"({always1} always 1, {always0} always 0"
    )
    assert m.glance()["n_clusters"] == len(per) - always1 - always0 == 87
    # within countries the size x duration interaction is larger than pooled (docs/models.md)
    t = m.tidy().set_index("term")
    assert t.loc["lag_ln_un_personnel:lag_un_duration", "estimate"] == pytest.approx(0.072, abs=1e-3)
    assert t.loc["lag_ln_un_personnel:lag_un_duration", "p_value"] < 0.01


# ------------------------------------------------------------------------------ ordered logit
def test_ordered_logit_matches_likelihood_written_here():
    rng = np.random.default_rng(5)
    n, g = 400, 40
    x = rng.normal(size=(n, 2))
    latent = x @ np.array([1.0, -0.5]) + rng.logistic(size=n)
    y = np.digitize(latent, [-1.0, 0.5, 1.5])
    groups = np.repeat(np.arange(g), n // g)
    est = E.ordered_logit(y, pd.DataFrame(x, columns=["a", "b"]), groups, ["A", "B", "C", "D"])

    def nll(theta):
        b, cuts = theta[:2], np.sort(theta[2:])
        eta = x @ b
        cdf = np.column_stack([np.zeros(n), expit(cuts[None, :] - eta[:, None]), np.ones(n)])
        return -np.sum(np.log(cdf[np.arange(n), y + 1] - cdf[np.arange(n), y]))

    ref = minimize(nll, np.array([0, 0, -1, 0, 1.0]), method="BFGS", options={"gtol": 1e-9})
    np.testing.assert_allclose(est.params.to_numpy(), ref.x, rtol=0, atol=1e-4)
    assert list(est.params.index[2:]) == ["cut: A | B", "cut: B | C", "cut: C | D"]
    assert est.llf == pytest.approx(-ref.fun, abs=1e-6)


# ------------------------------------------------------------------------------ real specifications
def test_us_garrison_threshold_reproduces_the_issue():
    # issue 23: a dummy for >= 1,000 US troops gave +1.26 (0.47), p = .007 on the panel before the Serbia/Kosovo
    # codings were corrected (1.2547 then). With US troops in Kosovo before 2008 counted for Serbia (345) and
    # Kosovo 2009-2011 in the sample it is 1.343 (0.466), p = .004: 8 more garrison country-years, checked in
    # troopdata_rebuild_country_year.csv (Kosovo >= 1,000 in 2000-2002 and 2004-2008: Serbia 2001-2003 and
    # 2005-2008 lagged, Kosovo 2009 from 2008)
    m = default_model("us_garrison")
    t = m.tidy().set_index("term").loc["lag_us_garrison"]
    assert t["estimate"] == pytest.approx(1.3429, abs=5e-4) and t["std_error"] == pytest.approx(0.466, abs=5e-4)
    assert round(t["p_value"], 3) == 0.004
    # the dummy counted from the panel's US troop numbers: 120 country-years with >= 1,000 (112 before)
    assert int((m.data["lag_us_garrison"] == 1).sum()) == 120
    assert set(m.data.loc[(m.data["lag_us_garrison"] == 1) & m.data["ccode"].isin([345, 347]), "year"]) == {
        2001,
        2002,
        2003,
        2005,
        2006,
        2007,
        2008,
        2009,
    }
    from peacewatch.models.data import model_panel

    prev = model_panel((2001, 2011))[["ccode", "year", "us_troops"]].rename(columns={"us_troops": "prev_us"})
    both = m.data.merge(prev.assign(year=prev["year"] + 1), on=["ccode", "year"], how="left", validate="one_to_one")
    assert ((both["lag_us_garrison"] == 1) == (both["prev_us"] >= 1000)).all()


def test_lagged_outcome_and_nato_firth_real_values():
    lagged = default_model("un_full_lagged_outcome")
    t = lagged.tidy().set_index("term")
    # 3.781 and n = 1,267 (were 3.776, 1,264): Kosovo 2009-2011 joined the sample with the corrected codings
    assert t.loc["lag_hti_pdest", "estimate"] == pytest.approx(3.781, abs=1e-3)
    assert lagged.data["year"].min() == 2002 and lagged.glance()["nobs"] == 1267
    nato = default_model("nato_firth")
    n = nato.tidy().set_index("term")
    # the ML logit cannot estimate NATO personnel (separation); Firth's estimate is finite
    assert n.loc["lag_ln_nato_personnel", "estimate"] == pytest.approx(0.203, abs=1e-3)
    assert int((nato.data["lag_ln_nato_personnel"] > 0).sum()) == 13
    assert (nato.data.loc[nato.data["lag_ln_nato_personnel"] > 0, "hti_pdest"] == 1).all()


def test_alternative_outcomes_real_values():
    tier = default_model("tip_tier_ordered")
    g = tier.glance()
    # 2,008 (was 1,989): Kelley's Serbia (1003) 2003-2014 and Kosovo (1001) 2009-2015 tiers now reach the panel
    assert g["nobs"] == 2008 and g["n_events"] is None and g["years"] == "2001-2015"
    assert set(tier.data.loc[tier.data["ccode"] == 347, "year"]) == set(range(2009, 2016))
    t = tier.tidy().set_index("term")
    assert (
        t.loc["lag_polity2", "estimate"] < 0 and t.loc["lag_polity2", "p_value"] < 0.01
    )  # democracies get better tiers
    assert list(t.index[-3:]) == [
        "cut: Tier 1 | Tier 2",
        "cut: Tier 2 | Tier 2 Watch List",
        "cut: Tier 2 Watch List | Tier 3",
    ]
    counts = tier.data["tip_tier"].value_counts().sort_index()
    assert list(counts.index) == [1.0, 2.0, 2.5, 3.0]
    p3 = default_model("p3_index_ols")
    direct = sm.OLS.from_formula(p3.spec.formula, p3.data).fit(
        cov_type="cluster", cov_kwds={"groups": p3.data["ccode"].to_numpy()}
    )
    np.testing.assert_allclose(p3.params.to_numpy(), direct.params.to_numpy(), atol=1e-10)
    np.testing.assert_allclose(p3.result.bse.to_numpy(), direct.bse.to_numpy(), atol=1e-10)
    assert p3.glance()["pseudo_r2"] == pytest.approx(direct.rsquared)


def test_specification_tables_and_errors():
    specs = load_specifications()
    assert {s.table for s in specs.values()} == {"main", "alternative", "outcomes"}
    assert [n for n, s in specs.items() if s.table == "alternative"] == [
        "fe_country_year",
        "nato_firth",
        "un_full_lagged_outcome",
        "us_garrison",
    ]
    df = pd.DataFrame(
        {
            "ccode": np.repeat([1, 2, 3], 4),
            "year": np.tile(range(2001, 2005), 3),
            "y": [0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0],
            "x": np.arange(12.0),
        }
    )
    with pytest.raises(Exception, match="no country's 'y' changes"):
        fit(Specification(name="s", formula="y ~ x", estimator="conditional_logit", years=(2001, 2004)), data=df)
    with pytest.raises(Exception, match="at least three ordered values"):
        fit(Specification(name="s", formula="y ~ x", estimator="ordered_logit", years=(2001, 2004)), data=df)


def test_unknown_estimator_or_table_is_refused(tmp_path):
    from peacewatch.models.errors import SpecificationError

    for key, value in (("estimator", "probit"), ("table", "appendix")):
        path = tmp_path / f"{key}.yml"
        path.write_text(f"specifications:\n  - name: x\n    formula: 'hti_pdest ~ lag_polity2'\n    {key}: {value}\n")
        with pytest.raises(SpecificationError, match=f"{key} '{value}' is not one of"):
            load_specifications(path)


def test_cli_fits_the_alternative_tables(tmp_path):
    from typer.testing import CliRunner

    from peacewatch.cli import app

    runner = CliRunner()
    out = runner.invoke(app, ["model", "fit", "--table", "outcomes"])
    assert out.exit_code == 0, out.output
    assert "(14) TIP tier (ordered logit)" in out.output and "(15) 3P policy index (OLS)" in out.output
    assert "note (gsi_prevalence_ols): not estimated: Global Slavery Index" in out.output
    alt = runner.invoke(app, ["model", "fit", "--table", "alternative", "--out", str(tmp_path)])
    assert alt.exit_code == 0 and "yes (conditional logit)" in alt.output
    assert "note (fe_country_year): 67 of 154 countries dropped" in alt.output  # Kosovo added (issue 23 codings)
    tidy = pd.read_csv(tmp_path / "tidy.csv")
    assert tidy.loc[(tidy["model"] == "us_garrison") & (tidy["term"] == "lag_us_garrison"), "estimate"].iloc[
        0
    ] == pytest.approx(1.3429, abs=5e-4)
    bad = runner.invoke(app, ["model", "fit", "--table", "appendix"])
    assert bad.exit_code != 0 and "--table: 'appendix' is not one of main, alternative, outcomes, all" in bad.output
    specs = runner.invoke(app, ["model", "specs"])
    assert "conditional_logit, years 2001-2011, clustered by ccode; table: alternative" in specs.output


def test_no_risk_predictions_from_models_that_have_none():
    from peacewatch.models.deployment_risk import predict_planned
    from peacewatch.models.errors import ModelError

    for name in ("fe_country_year", "tip_tier_ordered", "p3_index_ols"):
        with pytest.raises(ModelError, match="gives no predicted risk"):
            predict_planned(7000, 1, 40, spec=name)
    assert 0 < predict_planned(7000, 1, 40, spec="nato_firth")["risk"] < 1
