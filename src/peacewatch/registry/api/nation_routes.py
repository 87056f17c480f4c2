"""Routes of national reports, training records, published aggregates and the audit check."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query

from peacewatch.registry import operations as ops
from peacewatch.registry.api.deps import AUTHED, OBJECT, Caller, Deps, responses
from peacewatch.registry.schemas import CompletionIn, ModuleIn, NationalReportIn, PeriodIn, PersonIn, YearQuery

ServiceNumberPath = Annotated[str, Path(min_length=1, max_length=60, pattern=r"^[^\x00/]+$")]


def router(deps: Deps) -> APIRouter:
    r = APIRouter()
    Acting = Annotated[Caller, Depends(deps.acting)]
    Year = Annotated[YearQuery, Query()]

    @r.post("/compliance/reports", tags=["compliance"], status_code=201, responses=responses(*AUTHED, 409))
    async def national_report(body: NationalReportIn, acting: Acting) -> dict[str, Any]:
        """A nation's annual report against the 2004 NATO THB policy provisions."""
        return await acting(ops.nations.submit_report, body)

    @r.get("/compliance/reports", tags=["compliance"], responses=responses(*AUTHED))
    async def national_reports(acting: Acting, q: Year) -> list[dict[str, Any]]:
        """National reports visible to the caller."""
        return await acting(ops.nations.list_reports, q)

    @r.post("/training/modules", tags=["training"], status_code=201, responses=responses(*AUTHED, 409))
    async def add_module(body: ModuleIn, acting: Acting) -> dict[str, Any]:
        """Define a training module (coordinators)."""
        return await acting(ops.nations.add_module, body)

    @r.get("/training/modules", tags=["training"], responses=responses(*AUTHED))
    async def modules(acting: Acting) -> list[dict[str, Any]]:
        """Training modules (coordinators, TCC liaisons)."""
        return await acting(ops.nations.list_modules)

    @r.post("/training/personnel", tags=["training"], status_code=201, responses=responses(*AUTHED, 409))
    async def add_person(body: PersonIn, acting: Acting) -> dict[str, Any]:
        """Register a member of deploying personnel."""
        return await acting(ops.nations.add_person, body)

    @r.get("/training/personnel/{service_number}", tags=["training"], responses=responses(*OBJECT))
    async def person(
        service_number: ServiceNumberPath,
        acting: Acting,
        nation_ccode: Annotated[int | None, Query(ge=1, le=999)] = None,
    ) -> dict[str, Any]:
        """A person's required modules and completions (``nation_ccode`` when the number exists in several nations)."""
        return await acting(ops.nations.person_record, {"service_number": service_number, "nation_ccode": nation_ccode})

    @r.post("/training/completions", tags=["training"], status_code=201, responses=responses(*OBJECT))
    async def completion(body: CompletionIn, acting: Acting) -> dict[str, Any]:
        """Record that a person completed a module."""
        return await acting(ops.nations.record_completion, body)

    @r.get("/aggregates/tcc", tags=["aggregates"], responses=responses(*AUTHED))
    async def agg_tcc(acting: Acting, q: Year) -> list[dict[str, Any]]:
        """TCC accountability per year; counts below k (>= 5) are suppressed (null)."""
        return await acting(ops.aggregates.tcc, q)

    @r.get("/aggregates/tcc/live", tags=["aggregates"], responses=responses(*AUTHED))
    async def agg_tcc_live(acting: Acting, q: Year) -> list[dict[str, Any]]:
        """The TCC scorecard's registry counts of every year, the open one included, unsuppressed
        (coordinators and investigators only)."""
        return await acting(ops.aggregates.tcc_live, q)

    @r.post("/aggregates/periods", tags=["aggregates"], responses=responses(*AUTHED))
    async def close_period(body: PeriodIn, acting: Acting) -> dict[str, Any]:
        """Close an ended year for publication now (coordinators): its statistics are frozen."""
        return await acting(ops.aggregates.close_period, body)

    @r.get("/aggregates/compliance", tags=["aggregates"], responses=responses(*AUTHED))
    async def agg_compliance(acting: Acting, q: Year) -> list[dict[str, Any]]:
        """Compliance with the 2004 NATO THB policy per nation-year (nation-level facts)."""
        return await acting(ops.aggregates.compliance, q)

    @r.get("/aggregates/training", tags=["aggregates"], responses=responses(*AUTHED))
    async def agg_training(acting: Acting, q: Year) -> list[dict[str, Any]]:
        """Training completion per nation-year; small cells suppressed."""
        return await acting(ops.aggregates.training, q)

    @r.get("/audit/verify", tags=["audit"], responses=responses(*AUTHED))
    async def verify(acting: Acting) -> dict[str, Any]:
        """Recompute the audit log (coordinators)."""
        return await acting(ops.aggregates.verify_audit)

    return r
