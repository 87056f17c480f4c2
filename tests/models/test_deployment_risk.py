"""Deployment-risk logit: equality with statsmodels, clustered SEs by hand, real estimates, errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import patsy
import pytest
import statsmodels.api as sm
import statsmodels.formula.api as smf
from scipy.special import expit

from peacewatch.models import deployment_risk as dr
from peacewatch.models.errors import EmptySampleError, SeparationError, SpecificationError
from peacewatch.models.specs import Specification, load_specifications


@pytest.fixture(scope="module")
def full():
    return dr.default_model("un_full")


@pytest.fixture
def synthetic():
    """200 country-years in 20 clusters with a known logit data-generating process."""
    rng = np.random.default_rng(7)
    n, g = 200, 20
    df = pd.DataFrame({"ccode": np.repeat(np.arange(g), n // g), "year": np.tile(np.arange(2001, 2011), g)})
    df["x1"] = rng.normal(size=n) + rng.normal(size=g)[df["ccode"]]
    df["x2"] = rng.binomial(1, 0.4, size=n).astype(float)
    df["y"] = rng.binomial(1, expit(-0.3 + 0.8 * df["x1"] - 0.5 * df["x2"])).astype(float)
    return df


def test_estimates_equal_statsmodels_on_same_design(full):
    y, X = patsy.dmatrices(full.spec.formula, full.data, return_type="dataframe")
    direct = sm.Logit(y.iloc[:, 0], X).fit(disp=0, cov_type="cluster", cov_kwds={"groups": full.data["ccode"].values})
    np.testing.assert_allclose(full.params.values, direct.params.values, rtol=0, atol=1e-8)
    np.testing.assert_allclose(full.result.bse.values, direct.bse.values, rtol=0, atol=1e-8)
    formula = smf.logit(full.spec.formula, data=full.data).fit(
        disp=0, cov_type="cluster", cov_kwds={"groups": full.data["ccode"].values}
    )
    np.testing.assert_allclose(full.params.values, formula.params.values, rtol=0, atol=1e-8)


def test_clustered_se_by_hand(synthetic):
    spec = Specification(name="syn", formula="y ~ x1 + x2")
    m = dr.fit(spec, data=synthetic)
    X = np.column_stack([np.ones(len(synthetic)), synthetic["x1"], synthetic["x2"]])
    y = synthetic["y"].values
    p = expit(X @ m.params.values)
    bread = np.linalg.inv(X.T @ (X * (p * (1 - p))[:, None]))
    scores = X * (y - p)[:, None]
    summed = pd.DataFrame(scores).groupby(synthetic["ccode"].values).sum().values
    meat = summed.T @ summed
    n, k, g = len(y), X.shape[1], 20
    V = g / (g - 1) * (n - 1) / (n - k) * bread @ meat @ bread  # Stata's small-sample factor
    np.testing.assert_allclose(m.cov.values, V, rtol=0, atol=1e-8)
    tidy = m.tidy()
    assert list(tidy.columns) == [
        "model",
        "term",
        "estimate",
        "std_error",
        "statistic",
        "p_value",
        "conf_low",
        "conf_high",
    ]
    np.testing.assert_allclose(tidy["std_error"], np.sqrt(np.diag(V)), atol=1e-8)


def test_real_estimates(full):
    g = full.glance()
    # Kosovo 2009-2011 are in the sample since Polity5's 341 is read as Kosovo (issue 23; was 1426, 153, 981)
    assert (g["nobs"], g["n_clusters"], g["n_events"]) == (1429, 154, 984)
    t = full.tidy().set_index("term")
    assert t.loc["lag_ln_un_personnel:lag_un_duration", "estimate"] == pytest.approx(0.0214, abs=5e-4)
    assert t.loc["lag_ln_un_personnel:lag_un_tccs", "estimate"] == pytest.approx(0.0092, abs=5e-4)
    assert t.loc["lag_ln_gdppc", "p_value"] < 0.001


def test_us_comparison_as_estimated():
    """The ISQ study's comparison with US deployments (troopdata), same 2001-2011 sample as (1).

    Estimated with the real data: US troops (log, t-1) 0.078 (clustered SE 0.072, p = 0.28), UN
    personnel 0.086 (0.052, p = 0.10); US deployments show no association, as the study reports.
    """
    m = dr.default_model("us_comparison")
    g = m.glance()
    assert (g["nobs"], g["n_clusters"], g["n_events"]) == (1429, 154, 984)
    t = m.tidy().set_index("term")
    us = t.loc["lag_ln_us_troops"]
    assert us["estimate"] == pytest.approx(0.0776, abs=5e-4)
    assert us["std_error"] == pytest.approx(0.0716, abs=5e-4)
    assert 0.2 < us["p_value"] < 0.4  # not significant at any conventional level
    un = t.loc["lag_ln_un_personnel"]
    assert un["estimate"] == pytest.approx(0.0860, abs=5e-4) and 0.05 < un["p_value"] < 0.15


def test_unknown_variable():
    spec = Specification(name="typo", formula="hti_pdest ~ lag_ln_un_persnnel + lag_polity2")
    with pytest.raises(SpecificationError, match="'lag_ln_un_persnnel'.*did you mean"):
        dr.fit(spec)
    with pytest.raises(SpecificationError, match="spec='nope' is not defined"):
        dr.fit("nope")


def test_empty_sample(synthetic):
    spec = Specification(name="empty", formula="y ~ x1 + x3")
    with pytest.raises(EmptySampleError, match="x3=0"):
        dr.fit(spec, data=synthetic.assign(x3=np.nan))


def test_perfect_separation(synthetic):
    spec = Specification(name="sep", formula="y ~ x1 + d")
    with pytest.raises(SeparationError, match="'d' perfectly predicts 'y'"):
        dr.fit(spec, data=synthetic.assign(d=synthetic["y"]))
    # real data: every sample country-year with NATO personnel (KFOR, Macedonia) is a destination
    nato = Specification(
        name="nato", formula="hti_pdest ~ lag_ln_un_personnel + np.log1p(lag_nato_personnel) + lag_polity2"
    )
    with pytest.raises(SeparationError, match=r"np.log1p\(lag_nato_personnel\)>0 has hti_pdest=1, n=13"):
        dr.fit(nato)


def test_user_specifications(tmp_path):
    path = tmp_path / "mine.yml"
    path.write_text("specifications:\n  - name: mine\n    formula: 'hti_pdest ~ lag_un_deployed + {controls}'\n")
    specs = load_specifications(path)
    assert "un_full" in specs and specs["mine"].formula.endswith("lag_ln_population")
    m = dr.fit("mine", specs_path=path)
    assert "lag_un_deployed" in set(m.tidy()["term"])


def test_predictions(full):
    planned = dr.predict_planned(7000, 3, 40, conflict=1, polity2=0, gdppc=1500, population=9_000_000)
    assert planned["risk_lo"] < planned["risk"] < planned["risk_hi"]
    assert planned["inputs"]["lag_ln_gdppc"] == pytest.approx(np.log(1500))
    with pytest.raises(ValueError, match=r"\['gdp'\] are not variables of spec 'un_full'"):
        dr.predict_planned(7000, 3, 40, gdp=1500)
    sim = dr.predict_planned(7000, 3, 40, method="simulation", conflict=1, polity2=0, gdppc=1500, population=9_000_000)
    assert sim["risk"] == planned["risk"] and abs(sim["risk_lo"] - planned["risk_lo"]) < 0.05
    panel = dr.model_panel((2001, 2011))
    obs = dr.predict_observed(panel)
    assert list(obs.columns) == ["ccode", "year", "risk", "risk_lo", "risk_hi"] and len(obs) == len(panel)
    haiti = obs[(obs["ccode"] == 41) & (obs["year"] == 2006)].iloc[0]
    assert haiti["risk_lo"] < haiti["risk"] < haiti["risk_hi"]
    # the fitted values of the estimation sample are reproduced
    est = full.data[["ccode", "year"]].merge(obs, on=["ccode", "year"])
    np.testing.assert_allclose(est["risk"], full.result.predict(), atol=1e-10)


def test_current_spell_restarts_with_minustah():
    from peacewatch.models.data import model_panel

    haiti = model_panel().query("ccode == 41").set_index("year")
    assert haiti.loc[2004, "un_duration"] == 11 and haiti.loc[2004, "un_spell"] == 1  # UNMIH 1994 vs MINUSTAH
    assert haiti.loc[2003, "un_spell"] == 0 and haiti.loc[2011, "un_spell"] == 8
    cyprus = model_panel().query("ccode == 352").set_index("year")
    assert cyprus.loc[2004, "un_spell"] == cyprus.loc[2004, "un_duration"] == 41  # UNFICYP since 1964
    m = dr.default_model("un_full_spell")
    assert m.glance()["nobs"] == 1429
    t = m.tidy().set_index("term")
    assert t.loc["lag_ln_un_personnel:lag_un_spell", "p_value"] > 0.5  # no size x duration pattern with spells


def test_predict_observed_on_a_user_panel():
    from peacewatch.panel import create_country_years

    df = create_country_years(2006, 2008).add_all().df  # no un_spell column: derived on demand
    out = dr.predict_observed(df, spec="un_full_spell", method="simulation", n_sims=500)
    assert len(out) == len(df)
    assert out.loc[out["year"] == 2006, "risk"].isna().all()  # no lagged values for the first year
    haiti = out[(out["ccode"] == 41) & (out["year"] == 2008)].iloc[0]
    assert 0 < haiti["risk_lo"] < haiti["risk"] < haiti["risk_hi"] < 1
