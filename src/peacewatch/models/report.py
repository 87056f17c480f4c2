"""One self-contained HTML report of every model: density, typology, risk models, predictions, index.

Figures are embedded as inline SVG, so the single file can be mailed or archived; PNG and SVG copies
are also written next to it under ``figures/``. Called by ``peacewatch report`` and by the main job
(``peacewatch run``) as :func:`write_report`.
"""

from __future__ import annotations

import datetime as dt
import html
import numbers
import re
from pathlib import Path

import numpy as np
import pandas as pd
from markupsafe import Markup, escape

from peacewatch.csvsafe import to_csv as safe_csv
from peacewatch.models.data import model_panel, model_panel_object
from peacewatch.models.density import SEED_2004, io_density, mission_density, mission_density_table
from peacewatch.models.deployment_risk import default_model, fit_available, predict_observed, predict_planned
from peacewatch.models.incidence import incidence_index
from peacewatch.models.plots import plot_density, plot_marginal_effects, plot_predicted_risk
from peacewatch.models.specs import load_specifications, term_labels
from peacewatch.models.tables import glance_models, regression_table, tidy_models
from peacewatch.models.typology import typology_table
from peacewatch.panel.column_labels import METHOD_WORDS, SOURCE_LABELS, SPEC_WORDS, column_label
from peacewatch.reports import render_report
from peacewatch.works import WORKS
from peacewatch.works import cite as cite_work


def _cell(value, digits: int) -> str:
    """A number as readers read it: thousands separators, ``digits`` decimals (counts without)."""
    if value is None or value is pd.NA:
        return ""
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, numbers.Integral):
        return f"{int(value):,}"
    if isinstance(value, numbers.Real):
        f = float(value)
        return "" if f != f else f"{f:,.{digits}f}"
    return str(value)


def _table(df: pd.DataFrame, digits: int = 3, decimals: dict[str, int] | None = None) -> str:
    """An HTML table with the readers' column headings (:func:`column_label`) and formatted numbers:
    ``digits`` decimals for floats unless ``decimals`` names the column's own (0 for counts)."""
    decimals = decimals or {}
    shown = pd.DataFrame(
        {
            column_label(c): [
                str(v) if c == "year" else _cell(v, decimals.get(c, digits)) for v in df[c].astype(object)
            ]
            for c in df.columns
        }
    )
    return shown.to_html(index=False, border=0, classes="data")


#: Kinds of units in the typology table in words.
UNIT_KINDS = {"io": "International organisation", "mission": "UN mission"}


def _svg(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    return text[text.index("<svg") :]


def us_comparison_sentence(model) -> str:
    """One sentence on the UN-vs-US comparison (specification ``us_comparison``), from its estimates."""
    t = model.tidy().set_index("term")
    us, un = t.loc["lag_ln_us_troops"], t.loc["lag_ln_un_personnel"]

    def verdict(p: float) -> str:
        return (
            "significant at the 5% level"
            if p < 0.05
            else ("significant at the 10% level only" if p < 0.10 else "not significant")
        )

    return (
        f"US deployments ({model.spec.label}; troopdata, US active-duty personnel in the host, log, t-1): "
        f"{us['estimate']:+.3f} (clustered SE {us['std_error']:.3f}, p = {us['p_value']:.2f}), "
        f"{verdict(us['p_value'])}; "
        f"UN personnel in the same model {un['estimate']:+.3f} (SE {un['std_error']:.3f}, p = {un['p_value']:.2f}), "
        f"{verdict(un['p_value'])}; n = {model.glance()['nobs']:,} country-years, TIP report years "
        f"{model.spec.years[0]}-{model.spec.years[1]}. "
        + (
            "As the ISQ study reports, US deployments show no association with being a sex-trafficking destination."
            if us["p_value"] >= 0.10
            else (
                "Unlike the ISQ study, which reports no effect of US deployments, "
                "this estimate is distinguishable from zero."
            )
        )
    )


def garrison_sentence(garrison, us_model) -> str:
    """The US-garrison threshold against the log-linear US term (specifications ``us_garrison``, ``us_comparison``)."""
    g = garrison.tidy().set_index("term").loc["lag_us_garrison"]
    u = us_model.tidy().set_index("term").loc["lag_ln_us_troops"]
    n = int(garrison.data["lag_us_garrison"].sum())
    return (
        f"US garrison of at least 1,000 troops (t-1; {n:,} of {garrison.glance()['nobs']:,} country-years): "
        f"{g['estimate']:+.2f} (SE {g['std_error']:.2f}, p = {g['p_value']:.3f}), against the log-linear US term of "
        f"{us_model.spec.label} {u['estimate']:+.3f} (SE {u['std_error']:.3f}, p = {u['p_value']:.2f}): "
        + (
            "large garrisons go with being a destination although the size of the US presence as such does not."
            if g["p_value"] < 0.05 <= u["p_value"]
            else "see the table."
        )
    )


#: Caption of the main regression table (HTML and LaTeX).
MAIN_CAPTION = "Logit of sex-trafficking destination (Human Trafficking Indicators), 2001-2011"
#: A file name a reader must type (``walkfree_gsi/GSI-2018.xlsx``): shown as code, not as words.
_FILE_NAME = re.compile(r"\b[\w-]+/[\w./-]*\w")


def _missing_note(line: str, specs) -> Markup:
    """A "not estimated" note (:func:`fit_available`) with the model's label for its name and the file
    names to save as code."""
    name, sep, rest = line.partition(" not estimated: ")
    spec = specs.get(name)
    text = f"{spec.label if spec is not None and spec.label else name} not estimated: {rest}" if sep else line
    parts, last = [], 0
    for m in _FILE_NAME.finditer(text):
        parts.append(escape(text[last : m.start()]))
        parts.append(Markup('<code class="file">{}</code>').format(m.group(0)))
        last = m.end()
    parts.append(escape(text[last:]))
    return Markup("").join(parts)


def _model_notes(models) -> list[str]:
    """One line per model with a description and what its estimator dropped."""
    lines = []
    for m in models:
        extra = " ".join(m.notes)
        words = SPEC_WORDS.get(re.sub(r"^\(\d+\)\s*", "", m.spec.label or ""))
        what = f"{words[0].upper()}{words[1:]}. " if words else ""  # the label's shorthand in words
        lines.append(f"{m.spec.label}: {what}{m.spec.description}" + (f" {extra}." if extra else ""))
    return lines


def write_report(out_dir: Path) -> Path:
    """Write ``models-report.html`` (self-contained) and ``figures/*.png|svg`` into ``out_dir``.

    Parameters
    ----------
    out_dir
        Output directory (created if needed).

    Returns
    -------
    Path
        The HTML file.
    """
    out_dir = Path(out_dir)
    fig_dir = out_dir / "figures"
    fig_dir.mkdir(parents=True, exist_ok=True)

    # 1 density
    rows = []
    for unit, d in [
        ("UN", io_density("UN", 2004)),
        ("NATO", io_density("NATO", 2004)),
        ("OAS", io_density("OAS", 2004)),
        ("OAS (COW as published)", io_density("OAS", 2004, overrides=False)),
        ("MINUSTAH", mission_density("MINUSTAH", 2004)),
        ("MINUSTAH (personnel-weighted)", mission_density("MINUSTAH", 2004, weighted=True)),
    ]:
        rows.append(
            {
                "unit": unit,
                "density": d.value,
                cite_work("smith2012"): SEED_2004.get(unit.split(" ")[0]) if "(" not in unit else None,
                "scored": d.n_scored,
                "unscored": d.n_unscored,
                "source": SOURCE_LABELS.get(d.source, d.source),
            }
        )
    density_2004 = _table(pd.DataFrame(rows), 2)
    unscored = _table(
        pd.DataFrame(
            [{"unit": u, "unscored members": ", ".join(io_density(u, 2004).unscored)} for u in ("UN", "OAS", "NATO")]
        )
    )
    mt = mission_density_table(range(2004, 2012)).dropna(subset=["density"])
    mt = mt[mt["personnel"] >= 1000].sort_values("density")  # missions with an opportunity to matter
    shown = pd.concat([mt.head(5), mt.tail(5)])
    missions = _table(
        shown[["mission", "year", "density", "density_weighted", "n_scored", "n_unscored", "personnel"]]
        .astype({"personnel": "Int64"})
        .assign(source=[SOURCE_LABELS.get(v, v) for v in shown["source"]]),
        2,
    )
    density_note = (
        "UN 3.36 (191 members, 159 scored): matching Polity codes directly as COW codes drops Serbia and Montenegro, "
        "Ethiopia and Vietnam and gives 3.43. OAS 7.15 counts Cuba (suspended 1962-2009 but a member; COW codes it 0), "
        "7.72 without. MINUSTAH 4.82: the 11 troop contributors on the UN's November 2004 deployment map (Geo-PKO); "
        "Smith's (2012) 4.6 must rest on a different contributor list (the same 11 states score 4.82 in Polity IV "
        "too). See docs/models.md."
    )

    # 2 typology
    typ = typology_table(range(2001, 2012), host=41)
    from peacewatch.models.typology import typology_rules

    f0 = plot_density(typ, fig_dir / "density_by_year", threshold=typology_rules()["density_threshold"])
    typology = _table(
        typ[["unit", "kind", "year", "density", "personnel", "identity", "opportunity", "predicted_effect"]]
        .astype({"personnel": "Int64"})
        .replace({"kind": UNIT_KINDS}),
        2,
    )

    # 3 models
    specs = load_specifications()
    models = [
        default_model(name) for name, s in specs.items() if s.table == "main"
    ]  # cached fits, shared with other callers
    table = regression_table(models, "html", caption=MAIN_CAPTION)
    (out_dir / "models-table.tex").write_text(
        regression_table(models, "latex", caption=MAIN_CAPTION),
        encoding="utf-8",
    )
    (out_dir / "models-table.html").write_text(table, encoding="utf-8")
    safe_csv(tidy_models(models), out_dir / "models-tidy.csv", index=False)
    fit = glance_models(models)[
        ["model", "nobs", "n_clusters", "n_events", "pseudo_r2", "loglik", "aic", "bic", "wald_chi2", "wald_p"]
    ]
    glance = _table(
        fit.assign(model=[m.spec.label or m.name for m in models]),
        decimals={"nobs": 0, "n_clusters": 0, "n_events": 0, "loglik": 1, "aic": 1, "bic": 1, "wald_chi2": 1},
    )
    full = default_model()
    us_sentence = us_comparison_sentence(next(m for m in models if m.name == "us_comparison"))
    terms = term_labels()
    estimates = full.tidy().drop(columns="model")
    tidy = _table(estimates.assign(term=[terms.get(t, t) for t in estimates["term"]]), 4)
    alternatives = [default_model(name) for name, s in specs.items() if s.table == "alternative"]
    alt_table = regression_table(alternatives, "html", caption="Alternative specifications, 2001-2011")
    alt_notes = _model_notes(alternatives)
    if any(m.name == "us_garrison" for m in alternatives):
        alt_notes.append(
            garrison_sentence(
                next(m for m in alternatives if m.name == "us_garrison"),
                next(m for m in models if m.name == "us_comparison"),
            )
        )
    outcomes, missing = fit_available([name for name, s in specs.items() if s.table == "outcomes"])
    outcome_table = regression_table(outcomes, "html", caption="Alternative outcomes")
    outcome_notes = _model_notes(outcomes) + [_missing_note(line, specs) for line in missing]

    # 4 predictions
    spell = default_model("un_full_spell")
    f1 = plot_marginal_effects([full, spell], fig_dir / "me_size_by_duration", by="duration")
    f2 = plot_marginal_effects([full, spell], fig_dir / "me_size_by_tccs", by="tccs")
    f3 = plot_predicted_risk(
        [full, next(m for m in models if m.name == "un_size_x_duration")], fig_dir / "risk_by_size"
    )
    planned_rows = []
    for personnel, duration, tccs in [(1000, 1, 10), (7000, 1, 40), (7000, 5, 40), (12000, 8, 57)]:
        for method in ("delta", "simulation"):
            r = predict_planned(personnel, duration, tccs, method=method)
            planned_rows.append(
                {
                    "personnel": personnel,
                    "duration": duration,
                    "tccs": tccs,
                    "method": method,
                    "risk": r["risk"],
                    "risk_lo": r["risk_lo"],
                    "risk_hi": r["risk_hi"],
                }
            )
    planned = _table(pd.DataFrame(planned_rows).replace({"method": METHOD_WORDS}))
    panel = model_panel((2001, 2011))
    obs = predict_observed(panel)
    haiti = obs[obs["ccode"] == 41].merge(
        panel[["ccode", "year", "un_personnel", "un_duration", "un_spell", "un_tccs", "hti_pdest"]],
        on=["ccode", "year"],
    )
    haiti = haiti[haiti["year"] >= 2001]
    haiti_html = _table(
        haiti.drop(columns="ccode").astype(
            {c: "Int64" for c in ("un_personnel", "un_duration", "un_spell", "un_tccs", "hti_pdest")}
        )
    )

    # 5 incidence
    inc = incidence_index()
    indicators = ["tip_mention", "destination", "sex_destination", "child_sex_destination", "internal_sex"]
    incidence_haiti = _table(
        inc[inc["ccode"] == 41].drop(columns=["ccode", "country", "n_indicators"]),
        2,
        decimals=dict.fromkeys(indicators, 0),  # each indicator is 0 or 1
    )
    incidence_years = _table(
        inc.groupby("year", as_index=False).agg(mean_index=("index", "mean"), in_report=("tip_mention", "sum")),
        3,
        decimals={"in_report": 0},
    )

    cite = model_panel_object(full.spec.years, full.spec.agg).cite()
    rules = typology_rules()
    page = render_report(
        "models.html",
        generated=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        density_2004=density_2004,
        density_note=density_note,
        unscored=unscored,
        missions=missions,
        typology=typology,
        dthr=rules["density_threshold"],
        othr=rules["opportunity_threshold"],
        years=f"{full.spec.years[0]}-{full.spec.years[1]}",
        table=table,
        us_sentence=us_sentence,
        glance=glance,
        default=full.spec.label or full.name,
        main_notes=_model_notes(models),
        tidy=tidy,
        alt_table=alt_table,
        alt_notes=alt_notes,
        outcome_table=outcome_table,
        outcome_notes=outcome_notes,
        fig_density=_svg(f0[1]),
        fig_duration=_svg(f1[1]),
        fig_tccs=_svg(f2[1]),
        fig_risk=_svg(f3[1]),
        planned=planned,
        haiti=haiti_html,
        incidence_haiti=incidence_haiti,
        incidence_years=incidence_years,
        cite=html.unescape(cite),
        works=list(WORKS.values()),
    )
    path = out_dir / "models-report.html"
    path.write_text(page, encoding="utf-8")
    return path
