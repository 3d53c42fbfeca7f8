"""The division registry: real codes down to township, synthetic villages below them.

Codes nest by prefix: league 152500 → banner 152531 → township 152531100 → village 152531100901.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

LEAGUE = "152500"
LEVELS = ("province", "league", "banner", "township", "village")


@dataclass(frozen=True)
class Division:
    code: str
    name: str
    level: str
    parent_code: str | None
    synthetic: bool = False


def _rows(filename: str):
    with resources.files("shared.data").joinpath(filename).open(encoding="utf-8") as f:
        yield from csv.DictReader(f)


@lru_cache(maxsize=1)
def registry() -> dict[str, Division]:
    out: dict[str, Division] = {}
    for filename in ("xilingol_divisions.csv", "villages_synthetic.csv"):
        for row in _rows(filename):
            out[row["code"]] = Division(row["code"], row["name"], row["level"], row["parent_code"] or None,
                                        row.get("synthetic") == "true")
    return out


def get(code: str) -> Division | None:
    return registry().get(code)


def is_village(code: str) -> bool:
    found = get(code)
    return found is not None and found.level == "village"


def ancestors(code: str) -> list[str]:
    """The code and every division above it up to the league, lowest first."""
    chain, current = [], get(code)
    while current is not None and current.level != "province":
        chain.append(current.code)
        current = get(current.parent_code) if current.parent_code else None
    return chain


def township_of(code: str) -> str | None:
    return code[:9] if len(code) == 12 else None


def villages() -> list[Division]:
    return [d for d in registry().values() if d.level == "village"]
