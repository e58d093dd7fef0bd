#!/usr/bin/env python3
"""Writes config/demo/ssda903/: a synthetic SSDA903 extract of 50 fictitious children (no real person, no
real postcode), the way a case management system exports the children looked after return. Seven children
are written by hand for the tests (re-entry, moves, a disrupted adoption, an adoption order, long-term
fostering with late reviews, a child at home under an interim care order, a child whose history starts with
a continuation episode); the rest are made from a fixed seed, so the files are the same on every run.
Episodes is written with a BOM and CRLF line ends, as some systems do; the other tables with LF."""
import os
import random
from datetime import date, timedelta

OUT = os.path.join(os.path.dirname(__file__), "..", "config", "demo", "ssda903")
EPISODE_COLUMNS = "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN"


def d(text):
    y, m, dd = map(int, text.split("-"))
    return date(y, m, dd)


def fmt(x):
    return x.strftime("%d/%m/%Y") if x else ""


header, episodes, reviews, placed, ad1 = [], [], [], [], []


def child(cid, dob, sex="1"):
    header.append(f"{cid},{sex},{fmt(dob)},WBRI,,,")


def episode(cid, decom, rne, ls, place, dec=None, rec=None, cin="N1", change=""):
    provider = "PR1" if place.startswith(("U", "A")) else "PR4"
    episodes.append(f"{cid},{fmt(decom)},{rne},{ls},{cin},{place},{provider},{fmt(dec)},{rec or ''},{change},,,")


def review(cid, dob, when, code="PN1"):
    reviews.append(f"{cid},{fmt(dob)},{fmt(when)},{code}")


# D001: looked after under s20 since 6 January 2025 in foster care; first review in time, then 3 and 6 months.
child("D001", d("2017-03-14"))
episode("D001", d("2025-01-06"), "S", "V2", "U6")
for r in ["2025-01-30", "2025-04-24", "2025-10-16"]:
    review("D001", d("2017-03-14"), d(r))

# D002: home after five weeks (E4A), back into care in September: a new period, reviews start again.
child("D002", d("2015-11-02"), "2")
episode("D002", d("2025-02-03"), "S", "V2", "U6", d("2025-03-10"), "E4A")
review("D002", d("2015-11-02"), d("2025-02-27"))
episode("D002", d("2025-09-01"), "S", "C1", "K2")
review("D002", d("2015-11-02"), d("2025-09-25"))

# D003: moves from a foster carer to a relative (U3) and then to long-term foster care (U4).
child("D003", d("2019-06-30"))
episode("D003", d("2025-04-07"), "S", "C1", "U6", d("2025-06-12"), "X1")
episode("D003", d("2025-06-12"), "P", "C1", "U3", d("2025-08-20"), "X1", change="CARPL")
episode("D003", d("2025-08-20"), "P", "C1", "U4", change="CARPL")
for r in ["2025-05-02", "2025-07-31"]:
    review("D003", d("2019-06-30"), d(r))

# D004: care order, placement order, placed for adoption, the placement disrupts, placed again.
child("D004", d("2022-01-20"), "2")
episode("D004", d("2024-02-12"), "S", "C1", "U6", d("2024-09-16"), "X1")
episode("D004", d("2024-09-16"), "L", "C2", "U6", d("2024-11-11"), "X1")
episode("D004", d("2024-11-11"), "L", "E1", "U6", d("2025-03-03"), "X1")
episode("D004", d("2025-03-03"), "P", "E1", "A6", d("2025-05-19"), "X1", change="PLACE")
episode("D004", d("2025-05-19"), "P", "E1", "U6", d("2025-11-10"), "X1", change="CARPL")
episode("D004", d("2025-11-10"), "P", "E1", "A6", change="PLACE")
placed.append(f"D004,{fmt(d('2022-01-20'))},{fmt(d('2024-08-20'))},,")
ad1.append(f"D004,{fmt(d('2022-01-20'))},{fmt(d('2024-08-20'))},{fmt(d('2025-02-12'))},0,2,MF,L0")
for r in ["2024-03-07", "2024-06-06", "2024-12-05", "2025-03-27", "2025-06-05", "2025-12-04"]:
    review("D004", d("2022-01-20"), d(r), "PN0")

# D005: placed for adoption with her foster carers (A5), adopted in October 2025 (E11): no longer looked after.
child("D005", d("2021-05-05"), "2")
episode("D005", d("2024-03-04"), "S", "C1", "U5", d("2024-12-02"), "X1")
episode("D005", d("2024-12-02"), "L", "E1", "U5", d("2025-02-03"), "X1")
episode("D005", d("2025-02-03"), "T", "E1", "A5", d("2025-10-15"), "E11")
placed.append(f"D005,{fmt(d('2021-05-05'))},{fmt(d('2024-10-01'))},,")
for r in ["2024-03-28", "2024-06-27", "2024-12-19", "2025-02-27", "2025-05-22"]:
    review("D005", d("2021-05-05"), d(r), "PN0")

# D006: long-term foster care since 2023, reviews late.
child("D006", d("2012-08-08"))
episode("D006", d("2023-05-15"), "S", "C2", "U4")
for r in ["2023-06-20", "2023-10-02", "2024-05-20", "2025-01-13", "2025-09-01"]:
    review("D006", d("2012-08-08"), d(r), "PN1")

# D007: at home with a parent under an interim care order (P1 with LS C1).
child("D007", d("2020-02-29"))
episode("D007", d("2025-10-06"), "S", "C1", "P1")

# The rest: a period of care of one to three placements, some ended, reviews roughly on time.
rng = random.Random(903)
for n in range(8, 51):
    cid = f"D{n:03d}"
    dob = date(2008, 1, 1) + timedelta(days=rng.randrange(0, 16 * 365))
    sex = rng.choice("12")
    start = date(2023, 1, 2) + timedelta(days=rng.randrange(0, 900))
    # Born before coming into care (at least 60 days before), so that no review is before the birth.
    dob = min(dob, start - timedelta(days=60))
    child(cid, dob, sex)
    ls = rng.choice(["V2", "C1", "C2"])
    places = [rng.choice(["U4", "U6", "U6", "U3", "K2", "R1"]) for _ in range(rng.randrange(1, 4))]
    decom = start
    for i, place in enumerate(places):
        last = i == len(places) - 1
        end = decom + timedelta(days=rng.randrange(40, 300))
        if last:
            ended = rng.random() < 0.3 and end < date(2026, 6, 1)
            episode(cid, decom, "S" if i == 0 else "P", ls, place, end if ended else None, rng.choice(["E4A", "E13", "E45", "E8"]) if ended else None)
        else:
            episode(cid, decom, "S" if i == 0 else "P", ls, place, end, "X1", change="CARPL")
        decom = end
    r = start + timedelta(days=rng.randrange(14, 30))
    stop = decom if len(episodes[-1].split(",")[7]) else date(2026, 6, 1)
    while r < stop:
        review(cid, dob, r, rng.choice(["PN1", "PN2", "PN4", "PN7"]))
        r += timedelta(days=rng.choice([80, 90, 170, 180, 200]))

os.makedirs(OUT, exist_ok=True)


def write(name, columns, rows, bom=False, crlf=False):
    end = "\r\n" if crlf else "\n"
    with open(os.path.join(OUT, name), "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as f:
        f.write(columns + end)
        for row in rows:
            f.write(row + end)


write("header.csv", "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB", header)
write("episodes.csv", EPISODE_COLUMNS, episodes, bom=True, crlf=True)
write("reviews.csv", "CHILD,DOB,REVIEW,REVIEW_CODE", reviews)
write("placed_for_adoption.csv", "CHILD,DOB,DATE_PLACED,DATE_PLACED_CEASED,REASON_PLACED_CEASED", placed)
write("ad1.csv", "CHILD,DOB,DATE_INT,DATE_MATCH,FOSTER_CARE,NB_ADOPTR,SEX_ADOPTR,LS_ADOPTR", ad1)
print(f"{OUT}: {len(header)} children, {len(episodes)} episodes, {len(reviews)} reviews")
