"""The works peacewatch implements, cited the way readers know them: author and year.

One mapping for code, reports and docs: ``cite("smith2012")`` gives ``"Smith 2012"`` for headings and
column labels, ``reference("smith2012")`` the full reference for a methods page. Docstrings and
Markdown write the same short citation.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Work:
    """One work: its short author-year citation and its full reference."""

    short: str
    reference: str
    what_peacewatch_takes: str


WORKS: dict[str, Work] = {
    "smith2012": Work(
        "Smith 2012",
        "Heather T. Smith, \u201cThe Good, the Bad, and the Ugly: Assessing the Impact of the OAS and the UN on "
        "Human Trafficking in Haiti,\u201d in Alison Brysk and Austin Choi-Fitzpatrick (eds.), From Human "
        "Trafficking to Human Rights, University of Pennsylvania Press, 2012.",
        "democratic density of IOs and missions, the identity x opportunity typology, a trafficking incidence index",
    ),
    "bell2018": Work(
        "Bell et al. 2018",
        "Sam R. Bell, Michael E. Flynn and Carla Martinez Machain, \u201cU.N. Peacekeeping Forces and the Demand "
        "for Sex Trafficking,\u201d International Studies Quarterly 62(3), 2018, 643\u2013655.",
        "the deployment-risk logit: size, duration and number of contributors of UN deployments",
    ),
    "jkelley2022": Work(
        "J. Kelley 2022",
        "Jocelyn Kelley, \u201cUN Peacekeeping Mission and its Nexus to Human Trafficking,\u201d course paper "
        "(Human Smuggling and Trafficking), 2022.",
        "the accountability chain: allegations, referrals to contributing countries, prosecutions",
    ),
    "ballesteros2007": Work(
        "Ballesteros 2007",
        "Alvaro Ballesteros, \u201cTrafficking in Human Beings and International Peacekeeping Missions: "
        "The 2004 NATO THB Policy,\u201d Connections: The Quarterly Journal 6(3), 2007, 121\u2013139.",
        "national reports on the 2004 NATO policy, pre-deployment training",
    ),
    "kelley2017": Work(
        "Kelley 2017",
        "Judith G. Kelley, Scorecard Diplomacy: Grading States to Influence Their Reputation and Behavior, "
        "Cambridge University Press, 2017.",
        "the TIP tiers, their history and the scorecard logic",
    ),
}


def cite(key: str) -> str:
    """Short author-year citation of a work, e.g. ``"Bell et al. 2018"``."""
    return WORKS[key].short


def reference(key: str) -> str:
    """Full reference of a work."""
    return WORKS[key].reference
