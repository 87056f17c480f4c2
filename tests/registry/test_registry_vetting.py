"""Vetting: transliteration-aware matching, explanations, human decisions, roster errors."""

from __future__ import annotations

import pandas as pd
import pytest
from support.brute_force import brute_force_match
from support.synthetic import make_records, make_roster, recall

from peacewatch.registry import vetting
from peacewatch.registry.errors import ValidationFailed
from peacewatch.registry.matching import RecordIndex, name_forms, prepare

from .conftest import API


@pytest.mark.parametrize(
    "a,b",
    [
        ("Мухаммед Алиев", "Muhammad Aliyev"),
        ("Yuri Ivanoff", "Iouri Ivanov"),
        ("Jürgen Schmidt", "Juergen Schmidt"),
        ("Zhukov Andrei", "Andrey Joukov"),
    ],
)
def test_romanisation_variants_fold_to_the_same_skeleton(a, b):
    assert name_forms(a)[1].split() and sorted(name_forms(a)[1].split()) == sorted(name_forms(b)[1].split())


def test_cyrillic_roster_row_matches_latin_record_with_explained_components():
    records = pd.DataFrame(
        {
            "record_id": [10, 11],
            "name": ["Muhammad Aliyev", "Maria Lopez"],
            "dob": ["1980-03-04", "1990-01-01"],
            "nationality": [702.0, 100.0],
        }
    )
    roster = pd.DataFrame(
        {"name": ["Мухаммед Алиев", "John Smith"], "dob": ["1980-04-03", "1980-03-04"], "nationality": [702.0, 2.0]}
    )
    hits = RecordIndex(records).match(roster)
    assert hits[["roster_pos", "record_id"]].values.tolist() == [[0, 10]]
    h = hits.iloc[0]
    assert h.dob_score == 0.8 and h.nationality_score == 1.0 and h.name_skeleton_score == 1.0
    assert h.score == pytest.approx((0.6 * h.name_score + 0.3 * 0.8 + 0.1 * 1.0) / 1.0)


def test_blocking_keeps_brute_force_recall_on_a_labelled_sample():
    records = make_records(5000, seed=3)
    roster = make_roster(records, 400, planted_share=0.25, seed=4)
    index = RecordIndex(records)
    blocked = index.match(roster)
    brute = brute_force_match(index, roster)
    r_blocked, r_brute = recall(roster, blocked), recall(roster, brute)
    assert r_brute >= 0.9
    assert r_blocked == r_brute
    # Blocking scores only a small share of all pairs.
    assert len(index.candidates(prepare(roster))) < 0.05 * len(records) * len(roster)


def test_screening_stores_hits_and_decisions_are_final(client, people):
    h = people.headers("inv")
    for name, dob, nat in [("Imran Qureshi", "1985-02-03", 770), ("Ahmed Al-Rashid", None, 652)]:
        r = client.post(
            f"{API}/vetting/records",
            json={"full_name": name, "date_of_birth": dob, "nationality_ccode": nat, "category": "sexual_exploitation"},
            headers=h,
        )
        assert r.status_code == 201
    csv = (
        "name,date_of_birth,nationality\n"
        "Imran Qureshy,1985-03-02,770\nAchmed Al Rashid,1979-05-05,652\nJane Doe,1990-01-01,2\n"
    )
    res = client.post(f"{API}/vetting/screenings", json={"csv": csv, "label": "contingent-7"}, headers=h).json()
    got = [(x["row_number"], x["record_name"]) for x in res["hits"]]
    assert got == [(2, "Imran Qureshi"), (3, "Ahmed Al-Rashid")]
    first = res["hits"][0]
    assert first["dob_score"] == 0.8 and first["explanation"]["proposed_by"] == "day and month of birth swapped"
    assert set(first["explanation"]["components"]) == {
        "name",
        "name_written",
        "name_folded",
        "name_skeleton",
        "dob",
        "nationality",
    }
    assert res["hits"][1]["dob_score"] is None  # the record has no date of birth
    d = client.post(
        f"{API}/vetting/hits/{first['hit_id']}/decision",
        json={"decision": "confirmed_match", "note": "same service number"},
        headers=h,
    )
    assert d.status_code == 200 and d.json()["decision"] == "confirmed_match"
    again = client.post(f"{API}/vetting/hits/{first['hit_id']}/decision", json={"decision": "not_a_match"}, headers=h)
    assert again.status_code == 409
    stored = client.get(f"{API}/vetting/screenings/{res['screening_id']}/hits", headers=h).json()
    assert stored[0]["decision"] == "confirmed_match" and stored[0]["decision_note"] == "same service number"


@pytest.mark.parametrize(
    "csv,message",
    [
        ("name,dob,nationality\nA,1990-01-01,2\n", "missing column(s) date_of_birth"),
        (
            "name,date_of_birth,nationality\nA,1990-01-01,2\nB,01/02/1990,2\n",
            "row 3: date_of_birth '01/02/1990' is not a date",
        ),
        ("name,date_of_birth,nationality\nA,1990-01-01,Narnia\n", "row 2: nationality: no state called 'Narnia'"),
        ("name,date_of_birth,nationality\nA,1990-01-01,5\n", "row 2: nationality: no state has COW code 5"),
        ("name,date_of_birth,nationality\nA,2090-01-01,2\n", "row 2: date_of_birth 2090-01-01 is in the future"),
        ("name,date_of_birth,nationality\n,1990-01-01,2\n", "row 2: name is empty"),
        ("name,date_of_birth,nationality\n", "no data rows"),
    ],
)
def test_bad_roster_rows_are_named(csv, message):
    with pytest.raises(ValidationFailed) as err:
        vetting.parse_roster(csv, "roster.csv")
    assert message in str(err.value) and "roster.csv" in str(err.value)


def test_roster_nationality_by_iso3_or_name_is_its_cow_code():
    rows = vetting.parse_roster("name,date_of_birth,nationality\nA,1990-01-01,USA\nB,,Pakistan\nC,,770\n", "roster.csv")
    assert [r.nationality for r in rows] == [2, 770, 770]


def test_bad_record_import_stores_nothing(registry, people):
    text = (
        "full_name,date_of_birth,nationality,category\nA B,1980-01-01,2,sexual_abuse\nC D,1980-13-01,2,sexual_abuse\n"
    )
    with pytest.raises(ValidationFailed, match="records.csv row 3"), registry.session() as s:
        vetting.import_records_csv(s, s.merge(people.users["inv"]), text, "records.csv")
    with registry.session() as s:
        assert vetting.records_frame(s).empty
        n = vetting.import_records_csv(
            s, s.merge(people.users["inv"]), text.replace("1980-13-01", "1980-12-01"), "records.csv"
        )
    assert n == 2
    with registry.session() as s:
        frame = vetting.records_frame(s)
    assert frame["dob"].tolist() == ["1980-01-01", "1980-12-01"]


def test_two_simultaneous_variations_are_proposed():
    """The issue's example: other vowels in the first name *and* a moved h in the surname."""
    records = pd.DataFrame(
        {
            "record_id": [1, 2],
            "name": ["Muhammad Khan", "Maria Lopez"],
            "dob": ["1985-04-12", "1985-04-12"],
            "nationality": [770.0, 770.0],
        }
    )
    roster = pd.DataFrame({"name": ["Mohammed Kahn"], "dob": ["1985-04-12"], "nationality": [770.0]})
    hits = RecordIndex(records).match(roster)
    assert hits["record_id"].tolist() == [1]
    assert hits.iloc[0].name_score >= 0.75 and hits.iloc[0].score >= 0.8


@pytest.mark.parametrize("variations", [2, 3])
def test_recall_with_combined_variations_matches_brute_force(variations):
    records = make_records(4000, seed=5)
    roster = make_roster(records, 300, planted_share=0.5, seed=6 + variations, variations=variations)
    assert roster.loc[roster.true_record_id > 0, "variations"].str.count(r"\+").eq(variations - 1).all()
    index = RecordIndex(records)
    blocked, brute = index.match(roster), brute_force_match(index, roster)
    assert recall(roster, blocked) >= 0.97  # the benchmark measures >= 0.99 on thousands of rows
    # Blocking may lose a rare pair whose every key changed (a typo in a first letter plus a date error).
    assert recall(roster, brute) - 0.01 <= recall(roster, blocked) <= recall(roster, brute)


def test_the_index_is_kept_and_extended_on_import(registry, people):
    with registry.session() as s:
        inv = s.merge(people.users["inv"])
        vetting.import_records_csv(
            s,
            inv,
            "full_name,date_of_birth,nationality,category\n"
            "Muhammad Khan,1985-04-12,770,sexual_abuse\n"
            "Maria Lopez,1990-01-01,100,sexual_abuse\n",
        )
        first = vetting.record_index(s)
        assert vetting.record_index(s) is first  # nothing new: the same index, nothing rebuilt
        stored = s.execute(
            vetting.select(vetting.MisconductRecord.name_folded, vetting.MisconductRecord.name_keys)
        ).all()
        assert stored[0] == ("muhamad han", "^han ^muh hn md")
    with registry.session() as s:
        inv = s.merge(people.users["inv"])
        vetting.add_record(
            s, inv, full_name="Юрий Иванов", date_of_birth=None, nationality_ccode=365, category="trafficking_related"
        )
        # A record stored before name forms existed: filled in on first use.
        s.execute(
            vetting.update(vetting.MisconductRecord)
            .where(vetting.MisconductRecord.full_name == "Maria Lopez")
            .values(name_ascii=None, name_folded=None, name_skeleton=None, name_keys=None)
        )
    with registry.session() as s:
        inv = s.merge(people.users["inv"])
        kept = vetting.record_index(s)
        assert kept is not first and len(kept.records) == 3 and len(kept._segments) == 2
        rows = vetting.parse_roster("name,date_of_birth,nationality\nMohammed Kahn,1985-04-12,770\nYuri Ivanov,,365\n")
        sc = vetting.screen_roster(s, inv, rows)
        assert sorted(h["record_name"] for h in vetting.screening_hits(s, inv, sc.id)) == [
            "Muhammad Khan",
            "Юрий Иванов",
        ]
        fresh = RecordIndex(vetting.records_frame(s)).match(
            pd.DataFrame(
                {"name": ["Mohammed Kahn", "Yuri Ivanov"], "dob": ["1985-04-12", ""], "nationality": [770.0, 365.0]}
            )
        )
        assert sorted(fresh["record_id"].tolist()) == sorted(
            h["record_id"] for h in vetting.screening_hits(s, inv, sc.id)
        )
    with registry.session() as s:
        assert s.query(vetting.MisconductRecord).filter(vetting.MisconductRecord.name_folded.is_(None)).count() == 0


def test_roster_takes_country_names_iso3_and_full_name_like_the_records():
    """Nationality as a name, an ISO3 code or a COW code (the country crosswalk of the research
    data); ``full_name`` as the records call it. Codes from the COW list: Pakistan 770, Haiti 41."""
    rows = vetting.parse_roster(
        "full_name,date_of_birth,nationality\nA One,1990-01-01,Pakistan\n"
        "B Two,,PAK\nC Three,,770\nD Four,,haiti\nE Five,,\n",
        "roster.csv",
    )
    assert [(r.name, r.nationality) for r in rows] == [
        ("A One", 770),
        ("B Two", 770),
        ("C Three", 770),
        ("D Four", 41),
        ("E Five", None),
    ]


def test_a_hit_on_the_same_date_of_birth_does_not_mention_swapped_dates(client, people):
    h = people.headers("inv")
    client.post(
        f"{API}/vetting/records",
        json={
            "full_name": "Imran Qureshi",
            "date_of_birth": "1985-02-03",
            "nationality_ccode": 770,
            "category": "sexual_abuse",
        },
        headers=h,
    )
    csv = "name,date_of_birth,nationality\nImran Qureshi,1985-02-03,Pakistan\n"
    hit = client.post(f"{API}/vetting/screenings", json={"csv": csv}, headers=h).json()["hits"][0]
    assert hit["dob_score"] == 1 and hit["explanation"]["proposed_by"] == "same date of birth"
    assert hit["roster_nationality"] == 770
