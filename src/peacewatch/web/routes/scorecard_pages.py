"""(in progress)"""
from fastapi import APIRouter

router = APIRouter()


def unit_grades(request, card, key):
    from peacewatch.web.errors import require
    require("peacewatch.scorecards", "grade")
