"""Replication package of the deployment-risk models: the estimation data, a codebook, the estimates,
and an R script and a Stata do-file that rerun every specification of the models report.

``write_replication(out_dir)`` writes::

    estimation.csv / .parquet / .dta / .rds   one row per country-year of the models' years, every
                                              variable of every specification (lags built)
    codebook.md, codebook.csv                 variable, label, definition, source, type, N, mean, range
    estimates.csv                             peacewatch's estimates (tidy rows, with R and Stata term names)
    replicate.R, replicate.do                 rerun every specification, compare with estimates.csv
    README.md, CITATION.bib                   how to run it; the sources to cite

The R script uses base ``glm`` with ``sandwich::vcovCL(type = "HC1")`` (clustered by country, with
the factor G/(G-1)(N-1)/(N-K) that the report uses), ``survival::clogit`` for the conditional
(fixed-effects) logit, ``logistf`` for Firth's logit and ``MASS::polr`` for the ordered logit.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from peacewatch.csvsafe import to_csv as safe_csv
from peacewatch.models.data import (
    LAG_PREFIX,
    model_panel,
    model_panel_object,
    with_variables,
)

ID_COLUMNS = ["ccode", "year", "country"]
#: Definitions of the variables the model layer derives (the panel's are in docs/panel-columns.md).
DERIVED = {
    "un_spell": "years of the host's current uninterrupted UN presence (peacewatch.models.data.un_spell)",
    "us_garrison": "1 if at least 1,000 US military personnel are in the host (troopdata), else 0",
}


# ------------------------------------------------------------------------------------ the data
def estimation_frame(models: Sequence) -> pd.DataFrame:
    """Every variable of ``models`` (outcomes, regressors, lags, cluster) for the country-years of their years.

    Built like :func:`peacewatch.models.deployment_risk.fit` builds each sample (the same model panel
    and lags), so a specification's complete cases in its years are exactly its estimation sample.
    """
    years = (min(m.spec.years[0] for m in models), max(m.spec.years[1] for m in models))
    aggs = {m.spec.agg for m in models}
    if len(aggs) > 1:
        raise ValueError(f"the replication data need one monthly-to-yearly rule; the models use {sorted(aggs)}")
    variables = list(dict.fromkeys(v for m in models for v in [*m.spec.variables(), m.spec.cluster]))
    frame = with_variables(model_panel(years, aggs.pop()), variables)
    frame = frame[(frame["year"] >= years[0]) & (frame["year"] <= years[1])]
    cols = ID_COLUMNS + [v for v in variables if v not in ID_COLUMNS]
    return frame[cols].sort_values(["ccode", "year"]).reset_index(drop=True)


def _panel_sources() -> dict[str, list[str]]:
    """Panel column -> the sources its verb read (from the panel's steps)."""
    panel = model_panel_object()
    out: dict[str, list[str]] = {}
    for step in panel.steps:
        for col in step.columns:
            out[col] = list(step.sources)
    return out


def codebook(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per column of the estimation data: label, definition, source, type and summary statistics."""
    from peacewatch.models.specs import term_labels
    from peacewatch.panel.column_labels import VARIABLE_LABELS

    labels = {**VARIABLE_LABELS, **term_labels()}
    sources = _panel_sources()
    rows = []
    for col in frame.columns:
        base = col[len(LAG_PREFIX) :] if col.startswith(LAG_PREFIX) and col not in sources else col
        lagged = base != col
        definition = DERIVED.get(base, f"panel column {base} (docs/panel-columns.md)")
        if lagged:
            definition = f"{base} of the same country one year earlier; {base}: {definition}"
        s = frame[col]
        numeric = pd.api.types.is_numeric_dtype(s)
        rows.append(
            {
                "variable": col,
                "label": labels.get(col) or labels.get(base, ""),
                "definition": definition,
                "source": ", ".join(sources.get(base, ["peacewatch (derived)"] if base in DERIVED else [])),
                "type": "number" if numeric else "text",
                "n": int(s.notna().sum()),
                "mean": float(s.mean()) if numeric else np.nan,
                "min": float(s.min()) if numeric else np.nan,
                "max": float(s.max()) if numeric else np.nan,
            }
        )
    return pd.DataFrame(rows)


def _codebook_markdown(cb: pd.DataFrame, n_rows: int, years: tuple[int, int]) -> str:
    lines = [
        "# Codebook of the estimation data",
        "",
        f"{n_rows:,} country-years, {years[0]}-{years[1]} (COW state system); `ccode` is the COW country code.",
        "Missing values are empty in the CSV, NA in R, `.` in Stata.",
        "",
        "| variable | label | definition | source | N | mean | min | max |",
        "|---|---|---|---|---:|---:|---:|---:|",
    ]
    for r in cb.itertuples():
        stats = ["" if pd.isna(v) else f"{v:,.3f}" for v in (r.mean, r.min, r.max)]
        lines.append(
            f"| `{r.variable}` | {r.label} | {r.definition} | {r.source} | {r.n:,} | " + " | ".join(stats) + " |"
        )
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------------------------ formulas
_FUNCS = (("np.log1p(", "log1p("), ("np.log(", "log("), ("np.exp(", "exp("), ("np.sqrt(", "sqrt("))


def r_formula(formula: str) -> str:
    """A patsy formula in R's syntax (the operators are the same; ``C(x)`` -> ``factor(x)``, ``np.f(`` -> ``f(``)."""
    out = formula
    for a, b in _FUNCS:
        out = out.replace(a, b)
    return re.sub(r"\bC\(", "factor(", out)


def r_term(term: str) -> str:
    """The name R gives a patsy coefficient (``Intercept`` -> ``(Intercept)``,
    ``C(year)[T.2002]`` -> ``factor(year)2002``)."""
    if term == "Intercept":
        return "(Intercept)"
    out = re.sub(r"C\((\w+)\)\[T\.([^\]]+)\]", r"factor(\1)\2", term)
    for a, b in _FUNCS:
        out = out.replace(a, b)
    return out


def _stata_factor(name: str) -> str:
    m = re.fullmatch(r"C\((\w+)\)", name)
    if m:
        return f"i.{m.group(1)}"
    if not re.fullmatch(r"\w+", name):
        raise ValueError(f"term {name!r} has no Stata equivalent in this export: make it a panel column first")
    return f"c.{name}"


def stata_terms(model) -> list[str]:
    """Stata factor-variable terms of a fitted model's design (``c.a#c.b``, ``i.year``), intercept left out."""
    out = []
    for term in model.design_info.terms:
        if not term.factors:
            continue
        out.append("#".join(_stata_factor(f.name()) for f in term.factors))
    return out


def stata_term(term: str) -> str:
    """The name Stata gives a patsy coefficient (``a:b`` -> ``c.a#c.b``, ``Intercept`` -> ``_cons``)."""
    if term == "Intercept":
        return "_cons"
    m = re.fullmatch(r"C\((\w+)\)\[T\.([^\]]+)\]", term)
    if m:
        return f"{m.group(2)}.{m.group(1)}"
    parts = term.split(":")
    return parts[0] if len(parts) == 1 else "#".join(f"c.{p}" for p in parts)


# ------------------------------------------------------------------------------------ scripts
_R_HEAD = """# Rerun every specification of the peacewatch models report from estimation.rds.
# R >= 4.1 with the packages sandwich and lmtest (and survival, logistf, MASS for the alternative
# estimators): install.packages(c("sandwich", "lmtest", "survival", "logistf", "MASS"))
# Run from this folder: Rscript replicate.R   (writes r-estimates.csv, prints the largest difference
# from peacewatch's estimates.csv per specification)
suppressPackageStartupMessages({ library(sandwich); library(lmtest) })
d <- readRDS("estimation.rds")
pw <- read.csv("estimates.csv", stringsAsFactors = FALSE)
# Clustered by country with the small-sample factor G/(G-1) * (N-1)/(N-K), as in the report.
clustered <- function(m) coeftest(m, vcov. = vcovCL(m, cluster = ~ccode, type = "HC1"))
tidy_ct <- function(name, ct) data.frame(model = name, r_term = rownames(ct), \
estimate = ct[, 1], std_error = ct[, 2], row.names = NULL)
# Conditional logit: survival's robust variance (clustered by country) times the same small-sample
# factor, with N and G counted over the countries whose outcome changes (the others carry no information).
clogit_se <- function(m, f, data) {
  mf <- model.frame(f, data); y <- model.response(mf); cl <- data[rownames(mf), "ccode"]
  informative <- ave(y, cl, FUN = function(v) length(unique(v)) > 1) == 1
  g <- length(unique(cl[informative])); n <- sum(informative); k <- sum(!is.na(coef(m)))
  sqrt(diag(m$var) * g / (g - 1) * (n - 1) / (n - k))
}
# Firth: the sandwich of the modified scores x(y - p + h(1/2 - p)) summed by country, with I(b)^-1.
firth_se <- function(m, f, data) {
  mf <- model.frame(f, data); X <- model.matrix(f, mf); y <- model.response(mf)
  p <- as.vector(plogis(X %*% coef(m))); w <- p * (1 - p)
  Iinv <- solve(crossprod(X, X * w)); h <- w * rowSums((X %*% Iinv) * X)
  U <- rowsum(X * (y - p + h * (0.5 - p)), data[rownames(mf), "ccode"])
  n <- nrow(X); k <- ncol(X); g <- nrow(U)
  sqrt(diag(Iinv %*% crossprod(U) %*% Iinv) * g / (g - 1) * (n - 1) / (n - k))
}
tidy_se <- function(name, b, se) data.frame(model = name, r_term = names(b), \
estimate = unname(b), std_error = unname(se), row.names = NULL)
out <- list()
"""

_R_TAIL = """
res <- do.call(rbind, out)
write.csv(res, "r-estimates.csv", row.names = FALSE)
cmp <- merge(res, pw, by = c("model", "r_term"), suffixes = c("_r", "_pw"))
for (m in unique(cmp$model)) {
  x <- cmp[cmp$model == m, ]
  cat(sprintf("%-28s terms %2d  max |b_R - b_pw| = %.2e  max |se_R - se_pw| = %.2e\\n", m, nrow(x),
              max(abs(x$estimate_r - x$estimate_pw)), max(abs(x$std_error_r - x$std_error_pw))))
}
"""


def _r_block(model) -> str:
    spec = model.spec
    name = spec.name
    sub = f"subset(d, year >= {spec.years[0]} & year <= {spec.years[1]})"
    head = f"# {spec.label} [{spec.estimator}]\nf_{name} <- {r_formula(spec.formula)}\n"
    tail = f"print(out${name})\n"
    est = spec.estimator
    if est == "logit":
        return (
            head + f'm_{name} <- glm(f_{name}, family = binomial(link = "logit"), data = {sub})\n'
            f'out${name} <- tidy_ct("{name}", clustered(m_{name}))\n' + tail
        )
    if est == "ols":
        return (
            head + f"m_{name} <- lm(f_{name}, data = {sub})\n"
            f'out${name} <- tidy_ct("{name}", clustered(m_{name}))\n' + tail
        )
    if est == "conditional_logit":
        return (
            head + f"m_{name} <- survival::clogit(update(f_{name}, . ~ . + strata({spec.cluster})), data = {sub}, "
            f'method = "exact", cluster = {spec.cluster})\n'
            f'out${name} <- tidy_se("{name}", coef(m_{name}), clogit_se(m_{name}, f_{name}, {sub}))\n' + tail
        )
    if est == "firth":
        return (
            head + f"m_{name} <- logistf::logistf(f_{name}, data = {sub}, pl = FALSE)\n"
            f'out${name} <- tidy_se("{name}", coef(m_{name}), firth_se(m_{name}, f_{name}, {sub}))\n' + tail
        )
    if est == "ordered_logit":
        y = spec.outcome
        return (
            head + f"m_{name} <- MASS::polr(f_{name}, data = transform({sub}, {y} = factor({y}, ordered = TRUE)), "
            f'method = "logistic", Hess = TRUE)\n'
            f'out${name} <- tidy_ct("{name}", clustered(m_{name}))\n' + tail
        )
    raise ValueError(f"no R template for estimator {est!r}")


def r_script(models: Sequence) -> str:
    """The R script: one block per specification, then the comparison with ``estimates.csv``."""
    return _R_HEAD + "\n" + "\n".join(_r_block(m) for m in models) + _R_TAIL


_STATA_HEAD = """* Rerun every specification of the peacewatch models report from estimation.dta (Stata 15+).
* Run from this folder: do replicate.do
* Standard errors: Stata's vce(cluster ccode) for logit multiplies by G/(G-1) only; the report (and
* replicate.R) also use (N-1)/(N-K) as Stata's regress does, so Stata's SEs are smaller by the factor
* sqrt((N-K)/(N-1)) (about 0.3% with N = 1,429, K = 10). Coefficients are identical.
version 15
clear all
use estimation.dta, clear
"""


def _stata_block(model) -> str:
    spec = model.spec
    terms = " ".join(stata_terms(model))
    cond = f"if year >= {spec.years[0]} & year <= {spec.years[1]}"
    store = f"estimates store {spec.name[:27]}\n"
    head = f"* {spec.label} [{spec.estimator}]\n"
    est, y, cl = spec.estimator, spec.outcome, spec.cluster
    if est == "logit":
        return head + f"logit {y} {terms} {cond}, vce(cluster {cl})\n" + store
    if est == "ols":
        return head + f"regress {y} {terms} {cond}, vce(cluster {cl})\n" + store
    if est == "conditional_logit":
        return head + f"clogit {y} {terms} {cond}, group({cl}) vce(cluster {cl})\n" + store
    if est == "ordered_logit":
        return head + f"ologit {y} {terms} {cond}, vce(cluster {cl})\n" + store
    if est == "firth":
        return (
            head + "* firthlogit (ssc install firthlogit) gives Firth's estimates with model-based standard errors;\n"
            "* the clustered ones of the report are in replicate.R (firth_se)\n"
            f"firthlogit {y} {terms} {cond}\n" + store
        )
    raise ValueError(f"no Stata template for estimator {est!r}")


def stata_do(models: Sequence) -> str:
    """The Stata do-file: one command per specification, stored estimates side by side at the end."""
    names = " ".join(m.spec.name[:27] for m in models)
    return (
        _STATA_HEAD
        + "\n"
        + "\n".join(_stata_block(m) for m in models)
        + f"\nestimates table {names}, b(%9.4f) se(%9.4f) stats(N ll)\n"
    )


# ------------------------------------------------------------------------------------ writing
def estimates_frame(models: Sequence) -> pd.DataFrame:
    """peacewatch's tidy estimates of ``models`` with the term names R and Stata give them."""
    from peacewatch.models.deployment_risk import ORDERED_LEVELS
    from peacewatch.models.tables import tidy_models

    t = tidy_models(models)
    cut_names = {}  # "cut: Tier 1 | Tier 2" -> R's "1|2" (polr names cut points by the outcome's values)
    for m in models:
        if m.spec.estimator == "ordered_logit":
            values = np.sort(pd.unique(m.data[m.spec.outcome]))
            labels = [ORDERED_LEVELS.get(m.spec.outcome, {}).get(float(v), f"{v:g}") for v in values]
            for j in range(len(values) - 1):
                cut_names[f"cut: {labels[j]} | {labels[j + 1]}"] = (f"{values[j]:g}|{values[j + 1]:g}", f"/cut{j + 1}")
    t.insert(2, "r_term", t["term"].map(lambda term: cut_names[term][0] if term in cut_names else r_term(term)))
    t.insert(3, "stata_term", t["term"].map(lambda term: cut_names[term][1] if term in cut_names else stata_term(term)))
    return t


_README = """# Replication package: peace operations and sex-trafficking destinations

Written by peacewatch (`peacewatch model replication`, and by the main job `peacewatch run` into
`out/replication/`). It reruns every specification of the models report:

{models}

## Files

- `estimation.csv`, `estimation.parquet`, `estimation.dta` (Stata 15), `estimation.rds` (R data frame):
  the same {rows:,} country-years {years}, one column per variable of the specifications (lags built:
  `lag_x` is `x` of the same country one year earlier). A specification's sample is the complete
  cases of its variables in its years; R and Stata drop incomplete rows the same way.
- `codebook.md`, `codebook.csv`: every variable with its label, definition, source and statistics.
- `estimates.csv`: peacewatch's estimates (`term` as in peacewatch, `r_term` and `stata_term` as R and
  Stata name the same coefficient), standard errors clustered by country.
- `replicate.R` (`Rscript replicate.R`): reruns every specification and prints the largest
  difference from `estimates.csv`; `replicate.do` (`do replicate.do`) does the same in Stata.
- `CITATION.bib`: the sources to cite.

Standard errors are clustered by country with the small-sample factor G/(G-1)(N-1)/(N-K)
(statsmodels' default; `sandwich::vcovCL(type = "HC1")` in R). Stata's `vce(cluster)` for maximum
likelihood uses G/(G-1) only, so its standard errors are smaller by sqrt((N-K)/(N-1)).
"""


def write_replication(out_dir: str | Path, models: Sequence | None = None) -> list[Path]:
    """Write the replication package into ``out_dir`` (created if needed); returns the files written.

    Parameters
    ----------
    out_dir
        Output directory.
    models
        Fitted models (default: every built-in specification, as in the models report).
    """
    from peacewatch.models.deployment_risk import fit_available
    from peacewatch.models.specs import load_specifications
    from peacewatch.panel.build import variable_labels
    from peacewatch.panel.foreign import write_dta, write_rds

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    left_out: list[str] = []
    if models is None:
        models, left_out = fit_available(list(load_specifications()))
    frame = estimation_frame(models)
    years = (int(frame["year"].min()), int(frame["year"].max()))
    cb = codebook(frame)
    labels = {**variable_labels(), **{r.variable: r.label for r in cb.itertuples() if r.label}}
    safe_csv(frame, out / "estimation.csv", index=False)
    frame.to_parquet(out / "estimation.parquet", index=False)
    written = [
        out / "estimation.csv",
        out / "estimation.parquet",
        write_dta(frame, out / "estimation.dta", labels, "peacewatch estimation data"),
        write_rds(frame, out / "estimation.rds"),
    ]
    safe_csv(cb, out / "codebook.csv", index=False)
    (out / "codebook.md").write_text(_codebook_markdown(cb, len(frame), years), encoding="utf-8")
    safe_csv(estimates_frame(models), out / "estimates.csv", index=False)
    (out / "replicate.R").write_text(r_script(models), encoding="utf-8")
    (out / "replicate.do").write_text(stata_do(models), encoding="utf-8")
    listing = "\n".join(
        f"- `{m.name}`: {m.spec.label} ({m.spec.estimator}, {m.spec.years[0]}-{m.spec.years[1]})" for m in models
    )
    readme = _README.format(models=listing, rows=len(frame), years=f"{years[0]}-{years[1]}")
    if left_out:
        readme += "\n## Not included\n\n" + "\n".join(f"- {n}" for n in left_out) + "\n"
    (out / "README.md").write_text(readme, encoding="utf-8")
    (out / "CITATION.bib").write_text(model_panel_object(years).cite(), encoding="utf-8")
    names = ["codebook.csv", "codebook.md", "estimates.csv", "replicate.R", "replicate.do", "README.md", "CITATION.bib"]
    return [*written, *(out / n for n in names)]
