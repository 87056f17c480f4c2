"""Anonymous report form, receipt, and follow-up with the receipt (no login, nothing identifying).

The receipt only travels in POST bodies (never in a URL, so it stays out of logs and history), and
the pages set ``Cache-Control: no-store`` and ``Referrer-Policy: no-referrer``. Storage, receipts and
rate limits are the registry's (:mod:`peacewatch.registry.intake`).
"""

from __future__ import annotations

from fastapi import APIRouter, Request

from peacewatch.registry import intake, workflow
from peacewatch.registry.errors import RegistryError
from peacewatch.web.routes.forms import FormFields, form_text
from peacewatch.web.templating import render

router = APIRouter(prefix="/report")

PRIVATE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


def _client(request: Request) -> str | None:
    # Only a key of the in-memory rate limiter (hashed with a rotating salt); never stored.
    return request.client.host if request.client else None


def _ctx(**extra) -> dict:
    return {"section": "report", "categories": workflow.CATEGORIES, **extra}


@router.get("", summary="Anonymous report form")
def report_form(request: Request):
    return render(request, "report/form.html", {"form": {}}, context=_ctx(), headers=PRIVATE)


@router.post("", summary="Submit an anonymous report; answers with the receipt")
def report_submit(request: Request, form: FormFields):
    f = form_text(form)
    try:
        request.app.state.intake_limiter.hit(_client(request))
        with request.app.state.registry.session() as s:
            receipt = intake.submit_report(s, f.get("message", ""), (f.get("mission") or "").strip() or None,
                                           f.get("category") or None)
    except RegistryError as exc:
        return render(request, "report/form.html", {"form": f, "error": str(exc)}, status_code=exc.status_code,
                      context=_ctx(), headers=PRIVATE)
    grouped = " ".join(receipt[i:i + 4] for i in range(0, len(receipt), 4))
    data = {"receipt": receipt, "receipt_grouped": grouped,
            "note": "Keep this receipt: it is the only way to read replies and add information."}
    return render(request, "report/receipt.html", data, status_code=201, context=_ctx(), headers=PRIVATE)


@router.get("/follow-up", summary="Enter a receipt to read replies")
def follow_up_form(request: Request):
    return render(request, "report/follow_up.html", {"thread": None}, context=_ctx(), headers=PRIVATE)


@router.post("/follow-up", summary="Read replies (and optionally add information) with a receipt")
def follow_up(request: Request, form: FormFields):
    receipt = str(form.get("receipt", ""))
    message = str(form.get("message", "") or "").strip()
    try:
        request.app.state.lookup_limiter.hit(_client(request))
        with request.app.state.registry.session() as s:
            if message:
                request.app.state.intake_limiter.hit(_client(request))
                thread = intake.add_information(s, receipt, message)
            else:
                thread = intake.read_thread(s, receipt)
    except RegistryError as exc:
        return render(request, "report/follow_up.html", {"thread": None, "error": str(exc)},
                      status_code=exc.status_code, context=_ctx(receipt=receipt), headers=PRIVATE)
    return render(request, "report/follow_up.html", {"thread": thread, "added": bool(message)},
                  context=_ctx(receipt=receipt), headers=PRIVATE)
