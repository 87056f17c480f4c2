"""The deployment-risk model: coefficient table, marginal-effect plots and the planned-mission form.

Everything is computed by :mod:`peacewatch.models` (fitted once per process); this module only
arranges it. The planned-mission form is a GET form, so a prediction has a shareable URL and
``&format=json`` returns it to scripts.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from peacewatch.bounds import CONTROLS, PLANNED_MISSION
from peacewatch.errors import InputError
from peacewatch.registry.errors import ValidationFailed
from peacewatch.web import charts, labels
from peacewatch.web.data import records
from peacewatch.web.templating import render

router = APIRouter(prefix="/model")

#: Planned-mission form fields: name -> (label, default, min, max, step, required), from the shared bounds.
BOUNDS = {**PLANNED_MISSION, **CONTROLS}
FIELDS = {name: (b.label, b.default, b.lo, b.hi, b.step, b.required) for name, b in BOUNDS.items()}


def _models(request: Request):
    return request.app.state.models


#: A prediction whose interval is wider than this (in probability, 0-1) is "too uncertain to call":
#: with a 95% interval spanning more than 40 percentage points the model cannot tell a low risk from
#: a high one.
TOO_UNCERTAIN_WIDTH = 0.40
#: Within this distance of the base rate an estimate is "about the same" as past country-years.
NEAR_BASE_RATE = 0.05


def verdict(risk: float, lo: float, hi: float, base: float) -> dict:
    """What a prediction says in words: too uncertain to call, or above / below / about the base rate."""
    width = hi - lo
    if width > TOO_UNCERTAIN_WIDTH:
        return {
            "uncertain": True,
            "text": (
                f"Too uncertain to call: the interval spans {width * 100:.0f} percentage points, more than the "
                f"{TOO_UNCERTAIN_WIDTH * 100:.0f} we accept for a call, "
                "so the model cannot say whether the risk is low or high."
            ),
        }
    if risk > base + NEAR_BASE_RATE:
        where = "higher than"
    elif risk < base - NEAR_BASE_RATE:
        where = "lower than"
    else:
        where = "about the same as"
    return {"uncertain": False, "text": f"The estimate is {where} the base rate of {base * 100:.0f}%."}


#: Model variables (lagged or logged) -> the host field whose value they come from.
VARIABLE_FIELD = {
    "lag_polity2": "polity2",
    "polity2": "polity2",
    "lag_conflict": "conflict",
    "conflict": "conflict",
    "lag_ln_gdppc": "gdppc",
    "ln_gdppc": "gdppc",
    "lag_ln_population": "population",
    "ln_population": "population",
}

#: Host characteristics the country picker fills in (form field -> panel column).
HOST_FIELDS = {"polity2": "polity2", "conflict": "conflict", "gdppc": "gdppc", "population": "population"}


def _host(request: Request, params) -> dict | None:
    """The chosen host's latest known values (``host`` = COW code), or None."""
    key = (params.get("host") or "").strip()
    if not key:
        return None
    try:
        ccode = int(key)
        return {"ccode": ccode, **request.app.state.store.host_values[ccode]}
    except (ValueError, KeyError):
        raise ValidationFailed(f"Host country: no country with code {key}; choose one from the list") from None


def _parse(params, host: dict | None = None, filled: dict | None = None) -> tuple[dict, dict]:
    """Form values as numbers; raises ValidationFailed naming the field (bounds: :mod:`peacewatch.bounds`).
    Host fields left empty take the chosen host's latest known value (``filled``: field -> its year)."""
    values, raw = {}, {}
    for name, bound in BOUNDS.items():
        text = (params.get(name) or "").strip()
        if not text and host and name in HOST_FIELDS and host.get(HOST_FIELDS[name]) is not None:
            text = f"{host[HOST_FIELDS[name]]:g}"
            if filled is not None:
                filled[name] = host.get(HOST_FIELDS[name] + "_year")
        raw[name] = text
        if not text:
            if bound.required:
                raise ValidationFailed(f"{bound.label}: enter a number")
            continue
        try:
            values[name] = bound.check(text)
        except InputError as exc:
            raise ValidationFailed(str(exc)) from None
    return values, raw


def _effect_chart(df, x_label: str) -> dict:
    rows = [{"x": int(r["value"]), "risk": r["effect"], "risk_lo": r["lo"], "risk_hi": r["hi"]} for r in records(df)]
    opt = charts.risk_band(rows, x_key="x", digits=3)
    opt["yAxis"] = [charts._axis("change in probability per log personnel", 50)]
    opt["xAxis"].update(name=x_label, nameLocation="middle", nameGap=26)
    opt["series"][2]["name"] = "marginal effect"
    opt["legend"]["data"] = ["marginal effect", "95% interval"]
    opt["grid"]["bottom"] = 46
    return opt


def _curve_chart(df) -> dict:
    durations = sorted(df["duration"].unique())
    xs = charts.category_labels([float(p) for p in df[df["duration"] == durations[0]]["personnel"]])
    series = {
        f"{int(d)} year{'s' if d != 1 else ''} deployed": list(df[df["duration"] == d]["risk"]) for d in durations
    }
    opt = charts.simple_lines(xs, series, "probability", digits=3)
    opt["xAxis"].update(name="UN personnel", nameLocation="middle", nameGap=26)
    opt["yAxis"][0].update(min=0, max=1)
    opt["grid"]["bottom"] = 46
    return opt


@router.get("", summary="Risk model: coefficients, marginal effects, planned-mission form")
def model_page(request: Request):
    m = _models(request)
    frame = m.regression()
    table = {
        "columns": list(frame.columns),
        "rows": [[label, *vals] for label, vals in zip(frame.index, frame.values.tolist())],
    }
    default = m.default()
    by_duration = m.marginal_effect("duration")
    by_tccs = m.marginal_effect("tccs")
    curve = m.risk_curve()
    data = {
        "default_model": default.name,
        "coefficients": records(m.tidy()),
        "fit": records(m.glance()),
        "marginal_effects": {"duration": records(by_duration), "tccs": records(by_tccs)},
        "risk_curve": records(curve),
    }
    context = {
        "section": "model",
        "table": table,
        "fields": FIELDS,
        "form": {},
        **_picker(request),
        "me_duration": _effect_chart(by_duration, "years deployed"),
        "me_tccs": _effect_chart(by_tccs, "number of TCCs"),
        "curve": _curve_chart(curve),
        "spec_label": default.spec.label,
    }
    return render(request, "model.html", data, context=context)


def _picker(request: Request) -> dict:
    """Template context of the host picker: the countries and their latest known values."""
    values = request.app.state.store.host_values
    hosts = sorted(
        ((c, v) for c, v in values.items() if "gdppc" in v or "population" in v),
        key=lambda cv: labels.fold(cv[1]["country"]),
    )
    # One entry per name: where two codes share a display name (Germany before and after 1990), the
    # one with the most recent data.
    latest: dict[str, tuple[int, dict]] = {}
    for c, v in hosts:
        year = max((v.get(k + "_year") or 0) for k in HOST_FIELDS)
        if v["country"] not in latest or year > max(
            (latest[v["country"]][1].get(k + "_year") or 0) for k in HOST_FIELDS
        ):
            latest[v["country"]] = (c, v)
    hosts = [cv for cv in hosts if latest[cv[1]["country"]][0] == cv[0]]
    return {"host_options": [(c, v["country"]) for c, v in hosts], "host_values": dict(hosts)}


def _values_used(inputs: dict, filled: dict | None = None, typed: set | None = None) -> list[dict]:
    """The model's inputs for readers: label, value, the value before the log where there is one, and
    where it came from (typed, the host's value of a year, or the estimation-sample mean)."""
    out = []
    filled, typed = filled or {}, typed or set()
    for name, value in inputs.items():
        base = name[4:] if name.startswith("lag_") else name
        shown = labels.number(value, 0 if abs(value) >= 100 else 3)
        if base.startswith("ln_"):
            import math

            raw = math.expm1(value) if base == "ln_un_personnel" else math.exp(value)
            shown = f"{labels.number(value, 3)} (that is {labels.number(raw, 0)})"
        elif base in ("conflict",) and value in (0.0, 1.0):
            shown = "yes" if value else "no"
        field = VARIABLE_FIELD.get(name)
        if field in filled:
            origin = f"host's value of {filled[field]}" if filled[field] else "host's latest value"
        elif field and field not in typed:
            origin = "mean of the estimation sample"
        else:
            origin = "as entered"
        out.append({"variable": name, "label": labels.variable(name), "value": value, "shown": shown, "origin": origin})
    return out


@router.get("/predict", summary="Predicted risk of a planned mission")
def predict(request: Request):
    """Predicted probability (with interval) that the host becomes a sex-trafficking destination.

    ``host`` (a COW code) fills the host's latest known GDP per capita, population, Polity2 and
    conflict status for the fields left empty; typed values win.
    """
    form = dict(request.query_params)
    try:
        host = _host(request, request.query_params)
        filled: dict = {}
        values, raw = _parse(request.query_params, host, filled)
    except ValidationFailed as exc:
        data: dict[str, Any] = {"error": str(exc)}
        return render(
            request,
            "predict.html",
            data,
            status_code=422,
            context={"section": "model", "fields": FIELDS, "form": form, **_picker(request)},
        )
    controls = {k: values[k] for k in ("polity2", "conflict", "gdppc", "population") if k in values}
    models = _models(request)
    result = models.predict_planned(values["personnel"], values["duration"], int(values["tccs"]), **controls)
    base = models.base_rate()
    spec = models.default().spec.label
    typed = {k for k in BOUNDS if (request.query_params.get(k) or "").strip()}
    for (
        k,
        col,
    ) in HOST_FIELDS.items():  # the picker's script fills the fields: a value equal to the host's is the host's
        if (
            host
            and k in typed
            and k in values
            and host.get(col) is not None
            and abs(values[k] - float(host[col])) < 1e-9
        ):
            filled[k] = host.get(col + "_year")
    data = {
        "form_inputs": values,
        **result,
        "spec_label": spec,
        "spec_words": labels.spec_words(spec),
        "method_words": labels.METHOD_WORDS.get(result["method"], result["method"]),
        "host": host,
        "base_rate": base,
        "verdict": verdict(result["risk"], result["risk_lo"], result["risk_hi"], base["share"]),
        "too_uncertain_width": TOO_UNCERTAIN_WIDTH,
        "filled_years": filled,
        "values_used": _values_used(result["inputs"], filled, typed),
    }
    raw["host"] = form.get("host", "")
    return render(
        request, "predict.html", data, context={"section": "model", "fields": FIELDS, "form": raw, **_picker(request)}
    )
