"""The planned-mission form: host picker, plain-language interval, base rate, readable values used."""

from __future__ import annotations

import re

import pytest


def test_host_fills_latest_known_values_and_result_explains_itself(http, server):
    from peacewatch.models.deployment_risk import default_model, predict_planned

    haiti = server["app"].state.store.host_values[41]
    assert haiti["gdppc_year"] >= 2015 and haiti["population"] > 5_000_000
    r = http.get("/model/predict", params={"personnel": 5000, "duration": 1, "tccs": 20, "host": 41})
    assert r.status_code == 200
    expected = predict_planned(
        5000,
        1,
        20,
        gdppc=haiti["gdppc"],
        population=haiti["population"],
        polity2=haiti["polity2"],
        conflict=haiti["conflict"],
    )
    assert f"{expected['risk'] * 100:.1f}%" in r.text
    # The base rate is computed from the estimation sample, not typed in.
    m = default_model()
    y = m.data[m.spec.outcome]
    assert f"{y.mean() * 100:.0f}% of the {len(y):,} host country-years" in r.text
    assert "69% of the 1,429 host country-years" in r.text  # Kosovo 2009-2011 joined the sample (issue 23)
    assert re.search(r"the probability lies between\s+\d+% and \d+% with 95% confidence", r.text)
    assert "For a mission in Haiti" in r.text
    assert "GDP per capita, log (previous year)" in r.text and "lag_ln_gdppc" not in r.text


def test_typed_values_win_over_the_hosts(http):

    p = http.get(
        "/model/predict",
        params={"personnel": 5000, "duration": 1, "tccs": 20, "host": 41, "gdppc": 20000, "format": "json"},
    ).json()
    assert p["form_inputs"]["gdppc"] == 20000


def test_unknown_host_is_a_clear_error(http):
    r = http.get("/model/predict", params={"personnel": 5000, "duration": 1, "tccs": 20, "host": "abc"})
    assert r.status_code == 422 and "Host country: no country with code abc; choose one from the list" in r.text


@pytest.mark.browser
def test_picker_fills_the_form_in_the_browser(page, server):
    haiti = server["app"].state.store.host_values[41]
    page.goto("/model")
    page.get_by_label("Host country").select_option(label="Haiti")
    assert float(page.locator("#f-gdppc").input_value()) == haiti["gdppc"]
    assert int(page.locator("#f-population").input_value()) == haiti["population"]
    assert "Filled with the latest known values of Haiti" in page.locator("#host-hint").inner_text()
    page.locator("#f-gdppc").fill("1500")  # editable
    page.get_by_role("button", name="Predict risk").click()
    page.wait_for_selector("#risk-value")
    assert "For a mission in Haiti" in page.locator("#interval-explained").inner_text()
