"""Model specifications as data: the package's ``specifications.yml`` plus user YAML files."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from peacewatch.models.errors import SpecificationError
from peacewatch.resources import package_path

SPECS_PATH = package_path("peacewatch.models", "specifications.yml")
#: Estimators of a specification (``estimator:`` in the YAML): maximum-likelihood logit, conditional
#: (country fixed-effects) logit, Firth's penalised logit, ordered logit, least squares.
ESTIMATORS = ("logit", "conditional_logit", "firth", "ordered_logit", "ols")
#: Tables of the models report a specification is shown in (``table:`` in the YAML).
TABLES = ("main", "alternative", "outcomes")
#: Names in formulas that are functions/modules, not panel columns.
FORMULA_FUNCTIONS = {
    "np",
    "numpy",
    "C",
    "I",
    "Q",
    "center",
    "standardize",
    "scale",
    "log",
    "exp",
    "log1p",
    "bs",
    "cr",
    "cc",
    "Treatment",
}


@dataclass(frozen=True)
class Specification:
    """One named model: a patsy formula over panel columns and its sample settings."""

    name: str
    formula: str
    label: str = ""
    description: str = ""
    years: tuple[int, int] = (2001, 2011)
    agg: str = "december"
    cluster: str = "ccode"
    estimator: str = "logit"
    table: str = "main"

    @property
    def outcome(self) -> str:
        """Left-hand side of the formula."""
        return self.formula.split("~", 1)[0].strip()

    def variables(self) -> list[str]:
        """Panel columns the formula uses (outcome first), in order of appearance."""
        return formula_variables(self.formula)


def formula_variables(formula: str) -> list[str]:
    """Variable names in a patsy formula (function and module names removed)."""
    if "~" not in formula:
        raise SpecificationError(f"formula {formula!r} has no '~': write 'outcome ~ term + term'")
    lhs, rhs = formula.split("~", 1)
    names: list[str] = []
    for part in [lhs, *rhs.replace("*", "+").replace(":", "+").replace("-", "+").split("+")]:
        code = part.strip()
        if not code or code in {"0", "1"}:
            continue
        try:
            tree = ast.parse(code, mode="eval")
        except SyntaxError as exc:
            raise SpecificationError(f"formula {formula!r}: cannot read term {code!r} ({exc.msg})") from exc
        for node in ast.walk(tree):
            if isinstance(node, ast.Name) and node.id not in FORMULA_FUNCTIONS and node.id not in names:
                names.append(node.id)
    return names


def _read(path: Path) -> dict[str, Any]:
    try:
        with open(path, encoding="utf-8") as fh:
            doc = yaml.safe_load(fh) or {}
    except FileNotFoundError as exc:
        raise SpecificationError(f"specification file {path} does not exist") from exc
    except yaml.YAMLError as exc:
        raise SpecificationError(f"specification file {path} is not valid YAML: {exc}") from exc
    if not isinstance(doc.get("specifications", []), list):
        raise SpecificationError(f"{path}: 'specifications' must be a list of {{name, formula}} entries")
    return doc


def load_specifications(extra: str | Path | None = None) -> dict[str, Specification]:
    """Built-in specifications, then those of ``extra`` (a YAML file of the same shape) on top.

    Parameters
    ----------
    extra
        Optional user YAML with ``specifications: [{name, formula, label?, description?, years?}]``
        and optionally ``controls`` (used for ``{controls}`` in its own formulas).

    Returns
    -------
    dict
        Name -> :class:`Specification`, in file order.
    """
    base = _read(SPECS_PATH)
    docs = [base] + ([_read(Path(extra))] if extra else [])
    out: dict[str, Specification] = {}
    for doc in docs:
        defaults = {**base.get("defaults", {}), **doc.get("defaults", {})}
        controls = doc.get("controls", base.get("controls", ""))
        for entry in doc.get("specifications", []):
            if not isinstance(entry, dict) or "name" not in entry or "formula" not in entry:
                raise SpecificationError(f"specification entry {entry!r} needs 'name' and 'formula'")
            years = entry.get("years", defaults.get("years", (2001, 2011)))
            formula = " ".join(str(entry["formula"]).replace("{controls}", controls).split())
            spec = Specification(
                name=str(entry["name"]),
                formula=formula,
                label=str(entry.get("label", entry["name"])),
                description=" ".join(str(entry.get("description", "")).split()),
                years=(int(years[0]), int(years[1])),
                agg=str(entry.get("agg", defaults.get("agg", "december"))),
                cluster=str(entry.get("cluster", defaults.get("cluster", "ccode"))),
                estimator=str(entry.get("estimator", "logit")),
                table=str(entry.get("table", "main")),
            )
            if spec.table not in TABLES:
                raise SpecificationError(
                    f"specification {spec.name!r}: table {spec.table!r} is not one of {', '.join(TABLES)}"
                )
            if spec.estimator not in ESTIMATORS:
                raise SpecificationError(
                    f"specification {spec.name!r}: estimator {spec.estimator!r} is not one of {', '.join(ESTIMATORS)}"
                )
            formula_variables(spec.formula)  # fail early on unreadable terms
            out[spec.name] = spec
    return out


def default_spec_name() -> str:
    """Name of the default specification (``default:`` in ``specifications.yml``)."""
    return str(_read(SPECS_PATH).get("default", "un_full"))


def term_labels() -> dict[str, str]:
    """Readable labels of design-matrix terms (``labels:`` in ``specifications.yml``)."""
    return dict(_read(SPECS_PATH).get("labels", {}))


def get_specification(spec: str | Specification, extra: str | Path | None = None) -> Specification:
    """A specification by name (or passed through), with a helpful error for unknown names."""
    if isinstance(spec, Specification):
        return spec
    specs = load_specifications(extra)
    if spec not in specs:
        raise SpecificationError(
            f"spec={spec!r} is not defined; known: {', '.join(specs)} (add yours with a YAML file via extra=/--specs)"
        )
    return specs[spec]
