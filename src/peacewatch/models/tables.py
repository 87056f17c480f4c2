"""Publication tables: several fitted models side by side (coefficients, clustered SEs, fit stats)."""

from __future__ import annotations

import html
from collections.abc import Sequence

import pandas as pd

from peacewatch.models.specs import term_labels

#: Fixed-effect dummies are summarised in one "yes" row instead of one row per level.
FE_PREFIXES = ("C(year)",)
STARS = ((0.01, "***"), (0.05, "**"), (0.10, "*"))
FIT_ROWS = (
    ("nobs", "N", "{:,.0f}"),
    ("n_clusters", "Countries (clusters)", "{:,.0f}"),
    ("n_events", "Destinations (y = 1)", "{:,.0f}"),
    ("pseudo_r2", "McFadden pseudo-R2", "{:.3f}"),
    ("loglik", "Log-likelihood", "{:.1f}"),
    ("aic", "AIC", "{:.1f}"),
)


def _stars(p: float) -> str:
    for cut, mark in STARS:
        if p < cut:
            return mark
    return ""


def tidy_models(models: Sequence) -> pd.DataFrame:
    """The ``tidy()`` rows of several fitted models stacked (one canonical long format)."""
    return pd.concat([m.tidy() for m in models], ignore_index=True)


def glance_models(models: Sequence) -> pd.DataFrame:
    """One row of fit statistics per model."""
    return pd.DataFrame([m.glance() for m in models])


def regression_frame(models: Sequence, digits: int = 3, labels: dict[str, str] | None = None) -> pd.DataFrame:
    """Side-by-side table as strings: two rows per term (estimate with stars, SE in parentheses), then fit rows.

    Parameters
    ----------
    models
        Fitted models (:class:`~peacewatch.models.deployment_risk.FittedModel`).
    digits
        Decimals of estimates and standard errors.
    labels
        Term -> label (default: ``labels:`` of ``specifications.yml``).
    """
    labels = term_labels() if labels is None else labels
    seen: list[str] = []
    for m in models:
        for t in m.params.index:
            if t not in seen and t != "Intercept" and not t.startswith(FE_PREFIXES):
                seen.append(t)
    # rows in the order of the labels file (deployment terms, interactions, then controls), others after
    order = {t: i for i, t in enumerate(labels)}
    cuts = [t for t in seen if t.startswith("cut: ")]
    seen = [t for t in seen if t not in cuts]
    terms = sorted(seen, key=lambda t: (order.get(t, len(order)), seen.index(t))) + ["Intercept"] + cuts
    shown: dict[str, str] = {}
    for t in terms:
        label = labels.get(t, t)
        shown[t] = label if label not in shown.values() else f"{label} [{t}]"  # never merge two terms into one row
    cols = [m.spec.label or m.name for m in models]
    tidies = [m.tidy().set_index("term") for m in models]
    glances = [m.glance() for m in models]
    rows: dict[str, list[str]] = {}
    for term in terms:
        est, se = [], []
        for td in tidies:
            if term in td.index:
                r = td.loc[term]
                est.append(f"{r['estimate']:.{digits}f}{_stars(r['p_value'])}")
                se.append(f"({r['std_error']:.{digits}f})")
            else:
                est.append("")
                se.append("")
        label = shown[term]
        rows[label] = est
        rows[label + " "] = se  # SE row: same label plus a space, rendered blank
    if any(m.spec.estimator == "conditional_logit" for m in models):
        rows["Country fixed effects"] = [
            "yes (conditional logit)" if m.spec.estimator == "conditional_logit" else "" for m in models
        ]
    if any(any(t.startswith("C(year)") for t in m.params.index) for m in models):
        rows["Year fixed effects"] = [
            "yes" if any(t.startswith("C(year)") for t in m.params.index) else "" for m in models
        ]
    for key, label, fmt in FIT_ROWS:
        rows[label] = ["" if g[key] is None else fmt.format(g[key]) for g in glances]
    return pd.DataFrame.from_dict(rows, orient="index", columns=cols)


NOTE = "Logit coefficients; standard errors clustered by country in parentheses. * p<0.10, ** p<0.05, *** p<0.01."


def regression_table(models: Sequence, fmt: str = "html", digits: int = 3, caption: str = "", note: str = NOTE) -> str:
    """Side-by-side regression table as HTML or LaTeX.

    Parameters
    ----------
    models
        Fitted models.
    fmt
        ``"html"`` or ``"latex"`` (booktabs).
    caption, note
        Table caption and footnote.
    """
    frame = regression_frame(models, digits)
    n_terms = len(frame) - len(FIT_ROWS)
    if fmt == "html":
        head = "".join(f"<th>{html.escape(c)}</th>" for c in frame.columns)
        body = []
        for i, (label, vals) in enumerate(frame.iterrows()):
            shown = "" if label.endswith(" ") else html.escape(label)
            cls = ' class="fit"' if i == n_terms else ""
            body.append(f"<tr{cls}><th>{shown}</th>" + "".join(f"<td>{html.escape(v)}</td>" for v in vals) + "</tr>")
        cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
        return (
            f'<table class="regression">{cap}<thead><tr><th></th>{head}</tr></thead><tbody>'
            + "".join(body)
            + f'</tbody><tfoot><tr><td colspan="{len(frame.columns) + 1}">{html.escape(note)}</td></tr></tfoot></table>'
        )
    if fmt == "latex":

        def esc(s: str) -> str:
            for a, b in (("\\", r"\textbackslash{}"), ("&", r"\&"), ("%", r"\%"), ("_", r"\_"), ("#", r"\#")):
                s = s.replace(a, b)
            return s.replace("***", "$^{***}$").replace("**", "$^{**}$").replace("*", "$^{*}$") if "$" not in s else s

        lines = [
            r"\begin{table}[htbp]\centering",
            rf"\caption{{{esc(caption)}}}" if caption else "",
            r"\begin{tabular}{l" + "c" * len(frame.columns) + "}",
            r"\toprule",
            " & " + " & ".join(esc(c) for c in frame.columns) + r" \\",
            r"\midrule",
        ]
        for i, (label, vals) in enumerate(frame.iterrows()):
            if i == n_terms:
                lines.append(r"\midrule")
            shown = "" if label.endswith(" ") else esc(label).replace(" x ", r" $\times$ ")
            lines.append(shown + " & " + " & ".join(esc(v) for v in vals) + r" \\")
        lines += [r"\bottomrule", r"\end{tabular}", rf"\par\footnotesize {esc(note)}", r"\end{table}"]
        return "\n".join(x for x in lines if x)
    raise ValueError(f"fmt={fmt!r}: use 'html' or 'latex'")
