"""Anonymous report form, receipt, and follow-up with the receipt (no login, nothing identifying).

The receipt never travels in a URL (so it stays out of logs and history). Filing follows
post/redirect/get: the POST stores the report and redirects to ``/report/receipt``, which shows the
receipt once (carried in a short-lived cookie sealed under the registry key without a timestamp,
deleted as it is shown and used up on the server, so a replayed cookie shows nothing), so reloading
cannot file the report again. Every page is ``no-store`` with
``Referrer-Policy: no-referrer`` and the form has ``autocomplete=off``: the browser keeps and restores
nothing. Storage, receipts and rate limits are the registry's (:mod:`peacewatch.registry.operations.intake`).
"""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from peacewatch.registry import operations as ops
from peacewatch.registry import policy, workflow
from peacewatch.registry.api import client_address
from peacewatch.registry.errors import KeyProblem, RegistryError, ValidationFailed
from peacewatch.web.negotiate import wanted_format
from peacewatch.web.routes.forms import PublicFormFields, blanks_to_none, form_text, labelled
from peacewatch.web.templating import render

log = logging.getLogger("peacewatch.web")
router = APIRouter(prefix="/report")

PRIVATE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
RECEIPT_COOKIE = "pw_receipt"
RECEIPT_PATH = "/report/receipt"
RECEIPT_TTL = 600  # seconds the receipt waits to be shown once
LABELS = {
    "message": "What happened",
    "mission": "Mission",
    "category": "Kind of misconduct",
    "receipt": "Receipt number",
}


def _ctx(**extra) -> dict:
    return {"section": "report", "categories": workflow.CATEGORIES, **extra}


def _message(exc: RegistryError) -> str:
    """What an anonymous visitor is told: the registry's words, except for server-side problems."""
    if isinstance(exc, ValidationFailed):
        return labelled(exc, LABELS)
    if exc.status_code >= 500:
        log.error("anonymous intake failed: %s: %s", type(exc).__name__, exc)  # e.g. the key file's path
        return "Reports cannot be received right now. Please try again later; nothing was stored."
    return str(exc)


def _status(exc: RegistryError) -> int:
    return 503 if exc.status_code >= 500 else exc.status_code


@router.get("", summary="Anonymous report form")
def report_form(request: Request):
    return render(request, "report/form.html", {"form": {}}, context=_ctx(), headers=PRIVATE)


@router.post("", summary="Submit an anonymous report; redirects to the receipt (shown once)")
def report_submit(request: Request, form: PublicFormFields):
    f = form_text(form)
    body = blanks_to_none({k: f.get(k) for k in ("message", "mission", "category")})
    try:
        out = policy.perform(
            request.app.state.registry,
            None,
            ops.intake.submit,
            body,
            throttle=request.app.state.throttle,
            client=client_address(request),
        )
        sealed = policy.perform(request.app.state.registry, None, ops.intake.seal_receipt, out["receipt"])
    except RegistryError as exc:
        shown = {k: v[:20_000].replace("\x00", "") for k, v in f.items()}
        return render(
            request,
            "report/form.html",
            {"form": shown, "error": _message(exc)},
            status_code=_status(exc),
            context=_ctx(),
            headers=PRIVATE,
        )
    if wanted_format(request) == "json":
        return render(request, "report/receipt.html", out, status_code=201, context=_ctx(), headers=PRIVATE)
    response = RedirectResponse(RECEIPT_PATH, status_code=303, headers=PRIVATE)
    response.set_cookie(
        RECEIPT_COOKIE,
        sealed,
        max_age=RECEIPT_TTL,
        path=RECEIPT_PATH,
        httponly=True,
        samesite="strict",
        secure=request.app.state.settings.secure_cookies,
    )
    return response


@router.get("/receipt", summary="The receipt of the report just filed (shown once)")
def receipt_page(request: Request):
    try:
        receipt = policy.perform(
            request.app.state.registry, None, ops.intake.open_receipt, request.cookies.get(RECEIPT_COOKIE)
        )
    except KeyProblem:
        receipt = None
    if receipt is None:
        data = {"receipt": None, "note": "This receipt has already been shown (it is shown only once), or it expired."}
    else:
        grouped = " ".join(receipt[i : i + 4] for i in range(0, len(receipt), 4))
        data = {"receipt": receipt, "receipt_grouped": grouped, "note": ops.intake.RECEIPT_NOTE}
    response = render(request, "report/receipt.html", data, context=_ctx(), headers=PRIVATE)
    response.delete_cookie(RECEIPT_COOKIE, path=RECEIPT_PATH)
    return response


@router.get("/follow-up", summary="Enter a receipt to read replies")
def follow_up_form(request: Request):
    return render(request, "report/follow_up.html", {"thread": None}, context=_ctx(), headers=PRIVATE)


@router.post("/follow-up", summary="Read replies (and optionally add information) with a receipt")
def follow_up(request: Request, form: PublicFormFields):
    f = form_text(form)
    receipt = f.get("receipt", "")[:64]
    message = (f.get("message") or "").strip()
    registry, throttle, client = request.app.state.registry, request.app.state.throttle, client_address(request)
    try:
        if message:
            thread = policy.perform(
                registry,
                None,
                ops.intake.add_information,
                {"receipt": receipt, "message": message},
                throttle=throttle,
                client=client,
            )
        else:
            thread = policy.perform(
                registry, None, ops.intake.read_thread, {"receipt": receipt}, throttle=throttle, client=client
            )
    except RegistryError as exc:
        return render(
            request,
            "report/follow_up.html",
            {"thread": None, "error": _message(exc)},
            status_code=_status(exc),
            context=_ctx(receipt=receipt.replace("\x00", "")),
            headers=PRIVATE,
        )
    return render(
        request,
        "report/follow_up.html",
        {"thread": thread, "added": bool(message)},
        context=_ctx(receipt=receipt),
        headers=PRIVATE,
    )
