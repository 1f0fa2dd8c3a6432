"""``atop_alliances``: the formal alliances of the DPRK, Russia and China, from ATOP 4.01.

One row per member and phase (ATOP splits an alliance into phases where its terms or members
changed) of each alliance that has the DPRK (COW 731), Russia/the USSR (365) or China
(710) among its members and was in force at some time from 1991, the year the DPRK joined the
UN. Obligations are ATOP's codes for the member: defence, offence, neutrality, non-aggression,
consultation. ATOP 4.01 ends in 2016, so the 2024 Russia-DPRK treaty is not in it (the
``milestones`` table holds its signature, ratification and entry into force). The builder checks
the DPRK's alliances against ATOP 5's dyad-years for 2018: the same partners, the same defence
and consultation codes. COW codes become ISO codes through the ideal-point file.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from nkbook.data import countries
from nkbook.etl import SnapshotError, read_csv, require_columns
from nkbook.etl.cow import cow_to_iso3

MEMBERS = "alliances/atop_v4.01_member_level.csv"
DYADS_V5 = "alliances/atop_v5_dyad_year.csv"
SOURCE = "atop-4-01"
FOCUS = {731: "PRK", 365: "RUS", 710: "CHN"}
FROM_YEAR = 1991
OBLIGATIONS = ("defense", "offense", "neutral", "nonagg", "consul")


def _date(year: str, month: str, day: str) -> str:
    """ISO date where ATOP gives year, month and day; '' where any is 0 (unknown) or absent."""
    y, m, d = (int(v or 0) for v in (year, month, day))
    return f"{y:04d}-{m:02d}-{d:02d}" if y and m and d else ""


def build(snapshots: Path) -> pd.DataFrame:
    path = snapshots / MEMBERS
    m = read_csv(path)
    need = [
        "atopid",
        "member",
        "phase",
        "yrent",
        "moent",
        "dayent",
        "yrexit",
        "moexit",
        "dayexit",
        "bilat",
        *OBLIGATIONS,
    ]
    require_columns(m, need, path)
    m = m.assign(_member=m.member.astype(int), _exit=m.yrexit.replace("", "0").astype(int))
    ours = set(m[m._member.isin(FOCUS)].atopid)
    live = m[m.atopid.isin(ours)].groupby("atopid")._exit.apply(lambda x: ((x == 0) | (x >= FROM_YEAR)).any())
    m = m[m.atopid.isin(live[live].index)]
    iso = cow_to_iso3(snapshots)
    rows = []
    for i, r in m.iterrows():
        ccode = r._member
        code = iso.get(ccode, "")
        rows.append(
            {
                "member_id": "",
                "atopid": int(r.atopid),
                "phase": int(r.phase),
                "ccode": ccode,
                "iso3": code,
                "country": countries.name(code) if code else "",
                "entry_year": int(r.yrent),
                "entered_on": _date(r.yrent, r.moent, r.dayent),
                "exit_year": r._exit or "",
                "exited_on": _date(r.yrexit, r.moexit, r.dayexit),
                "bilateral": "true" if r.bilat == "1" else "false",
                **{o: int(r[o]) for o in OBLIGATIONS},
                "source_id": SOURCE,
            }
        )
        if not code and ccode in FOCUS:
            raise SnapshotError(f"{path}: row {i + 2}, field member: COW code {ccode} has no ISO code")
    out = pd.DataFrame(rows).sort_values(["atopid", "ccode", "phase", "entry_year"], ignore_index=True)
    spell = out.groupby(["atopid", "ccode"]).cumcount() + 1  # a member may enter, leave and re-enter
    out["member_id"] = out.atopid.astype(str) + "-" + out.ccode.astype(str) + "-" + spell.astype(str)
    _check_against_v5(out, snapshots / DYADS_V5)
    return out


def _check_against_v5(out: pd.DataFrame, path: Path) -> None:
    """ATOP 5 must give the DPRK the same defence and consultation partners in 2018 as 4.01's
    alliances in force at its end (4.01 ends in 2016; nothing changed for the DPRK in between)."""
    d = read_csv(path)
    d = d[(d.year == "2018") & ((d.ccode1 == "731") | (d.ccode2 == "731"))]
    partner = d.ccode1.where(d.ccode1 != "731", d.ccode2).astype(int)
    v5 = {(p, o) for p, (_, r) in zip(partner, d.iterrows()) for o in ("defense", "consul") if r[f"atop_{o}"] == "1"}
    dprk_ids = set(out[out.ccode == 731].atopid)
    live = out[out.atopid.isin(dprk_ids) & (out.ccode != 731) & (out.exit_year == "")]
    v4 = {(int(r.ccode), o) for _, r in live.iterrows() for o in ("defense", "consul") if r[o] == 1}
    if v4 != v5:
        raise SnapshotError(
            f"{path}: the DPRK's 2018 defence/consultation partners {sorted(v5)} differ from ATOP 4.01's {sorted(v4)}"
        )
