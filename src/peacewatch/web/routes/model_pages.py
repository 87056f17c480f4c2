"""The deployment-risk model: coefficient table, marginal-effect plots and the planned-mission form.

Everything is computed by :mod:`peacewatch.models` (fitted once per process); this module only
arranges it. The planned-mission form is a GET form, so a prediction has a shareable URL and
``&format=json`` returns it to scripts.
"""

from __future__ import annotations

from fastapi import APIRouter, Request

from peacewatch.bounds import CONTROLS, PLANNED_MISSION
from peacewatch.errors import InputError
from peacewatch.registry.errors import ValidationFailed
from peacewatch.web import charts
from peacewatch.web.data import records
from peacewatch.web.templating import render

router = APIRouter(prefix="/model")

#: Planned-mission form fields: name -> (label, default, min, max, step, required), from the shared bounds.
BOUNDS = {**PLANNED_MISSION, **CONTROLS}
FIELDS = {name: (b.label, b.default, b.lo, b.hi, b.step, b.required) for name, b in BOUNDS.items()}


def _models(request: Request):
    return request.app.state.models


def _parse(params) -> tuple[dict, dict]:
    """Form values as numbers; raises ValidationFailed naming the field (bounds: :mod:`peacewatch.bounds`)."""
    values, raw = {}, {}
    for name, bound in BOUNDS.items():
        text = (params.get(name) or "").strip()
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
    opt = charts.risk_band(rows, x_key="x")
    opt["yAxis"] = [{"type": "value", "name": "dPr / d log(personnel)", "axisLabel": {"color": charts.TEXT}}]
    opt["xAxis"]["name"] = x_label
    opt["xAxis"]["nameLocation"] = "middle"
    opt["xAxis"]["nameGap"] = 25
    opt["series"][2]["name"] = "marginal effect"
    opt["legend"]["data"] = ["marginal effect", "interval"]
    return opt


def _curve_chart(df) -> dict:
    durations = sorted(df["duration"].unique())
    xs = [round(float(p)) for p in df[df["duration"] == durations[0]]["personnel"]]
    series = {f"{int(d)} year{'s' if d != 1 else ''} deployed": list(df[df["duration"] == d]["risk"]) for d in durations}
    opt = charts.simple_lines(xs, series, "probability")
    opt["xAxis"]["name"] = "UN personnel"
    opt["xAxis"]["nameLocation"] = "middle"
    opt["xAxis"]["nameGap"] = 25
    opt["yAxis"][0].update(min=0, max=1)
    return opt


@router.get("", summary="Risk model: coefficients, marginal effects, planned-mission form")
def model_page(request: Request):
    m = _models(request)
    frame = m.regression()
    table = {"columns": list(frame.columns), "rows": [[label, *vals] for label, vals in zip(frame.index, frame.values.tolist())]}
    default = m.default()
    by_duration = m.marginal_effect("duration")
    by_tccs = m.marginal_effect("tccs")
    curve = m.risk_curve()
    data = {
        "default_model": default.name, "coefficients": records(m.tidy()), "fit": records(m.glance()),
        "marginal_effects": {"duration": records(by_duration), "tccs": records(by_tccs)},
        "risk_curve": records(curve),
    }
    context = {
        "section": "model", "table": table, "fields": FIELDS, "form": {},
        "me_duration": _effect_chart(by_duration, "years deployed"),
        "me_tccs": _effect_chart(by_tccs, "number of TCCs"),
        "curve": _curve_chart(curve), "spec_label": default.spec.label,
    }
    return render(request, "model.html", data, context=context)


@router.get("/predict", summary="Predicted risk of a planned mission")
def predict(request: Request):
    """Predicted probability (with interval) that the host becomes a sex-trafficking destination."""
    try:
        values, raw = _parse(request.query_params)
    except ValidationFailed as exc:
        data = {"error": str(exc)}
        return render(request, "predict.html", data, status_code=422,
                      context={"section": "model", "fields": FIELDS, "form": dict(request.query_params)})
    controls = {k: values[k] for k in ("polity2", "conflict", "gdppc", "population") if k in values}
    result = _models(request).predict_planned(values["personnel"], values["duration"], int(values["tccs"]), **controls)
    data = {"form_inputs": values, **result}
    return render(request, "predict.html", data, context={"section": "model", "fields": FIELDS, "form": raw})
