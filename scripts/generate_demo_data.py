"""Generate the league's demo data: synthetic villages under every real township, and synthetic agents.

Deterministic (fixed seed): running it again gives the same files. Outputs:
  shared/data/villages_synthetic.csv      village code = <9-digit township> + 9xx (a range real codes do not use)
  services/assignment/demo/agents.json    agents per village and per township, all marked synthetic

Usage: python scripts/generate_demo_data.py
"""
import csv
import json
import random
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DIVISIONS = ROOT / "shared" / "data" / "xilingol_divisions.csv"
VILLAGES = ROOT / "shared" / "data" / "villages_synthetic.csv"
AGENTS = ROOT / "services" / "assignment" / "demo" / "agents.json"

SURNAMES_ZH = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗"
GIVEN_ZH = ["建国", "秀英", "海军", "桂兰", "志强", "丽娟", "永明", "春梅", "国庆", "晓燕", "立新", "红霞"]
NAMES_MN = ["巴特尔", "其其格", "乌力吉", "萨仁", "苏和", "格日勒", "额尔敦", "乌兰", "巴雅尔", "图雅",
            "朝鲁", "娜仁", "宝音", "塔娜", "阿拉坦"]
VILLAGE_KINDS = ["village_cadre", "party_member", "grid_worker", "party_delegate", "peoples_deputy",
                 "cppcc_member", "legal_worker", "retired_cadre", "volunteer"]
SPECIALITIES = ["land_grassland", "housing", "labour_wages", "social_security", "infrastructure",
                "environment", "public_order"]


def townships():
    with DIVISIONS.open(encoding="utf-8") as f:
        return [row for row in csv.DictReader(f) if row["level"] == "township"]


def is_pastoral(name):
    return "苏木" in name or "牧场" in name


def village_name(township, index):
    suffix = "嘎查" if is_pastoral(township["name"]) else ("社区" if "街道" in township["name"] else "村")
    return f"示例{'一二三'[index]}{suffix}"


def person(rng, pastoral):
    if pastoral and rng.random() < 0.7:
        return rng.choice(NAMES_MN) + "（示例）", ["mn", "zh"]
    return rng.choice(SURNAMES_ZH) + rng.choice(GIVEN_ZH) + "（示例）", ["zh"]


def agent(rng, code, division, level, kind, pastoral):
    name, languages = person(rng, pastoral)
    return {"id": f"agt-{code}", "name": name, "kind": kind, "division": division, "level": level,
            "languages": languages, "specialities": sorted(rng.sample(SPECIALITIES, 2)),
            "capacity": rng.choice([5, 8, 10]), "active": True, "synthetic": True}


def main():
    rng = random.Random(20261203)
    villages, agents = [], []
    for township in townships():
        code, pastoral = township["code"], is_pastoral(township["name"])
        count = 2 if int(code[-3:]) % 3 == 0 else 1
        for i in range(count):
            village = f"{code}9{i + 1:02d}"
            villages.append({"code": village, "name": village_name(township, i), "level": "village",
                             "parent_code": code, "synthetic": "true"})
            for j in range(2 if i == 0 else 1):
                kind = "village_cadre" if j == 0 else rng.choice(VILLAGE_KINDS)
                agents.append(agent(rng, f"{village}-{j + 1}", village, "village", kind, pastoral))
        agents.append(agent(rng, f"{code}-t1", code, "township", rng.choice(["retired_cadre", "legal_worker"]),
                            pastoral))
    with VILLAGES.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, ["code", "name", "level", "parent_code", "synthetic"])
        writer.writeheader()
        writer.writerows(villages)
    AGENTS.write_text(json.dumps({"synthetic": True, "agents": agents}, ensure_ascii=False, indent=1) + "\n",
                      encoding="utf-8")
    print(f"{len(villages)} villages, {len(agents)} agents")


if __name__ == "__main__":
    main()
