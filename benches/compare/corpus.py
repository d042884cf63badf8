"""The comparison suite's corpus: openings, participant profiles, search queries and write
bodies, generated from one seed in the shapes of the real 2024 labour market.

Where the shapes come from (../shared/reference/, see its README):
- occupation group x municipality of each opening: drawn with the weights of the real number of
  ads in 2024 per SSYK level-4 group and municipality (labour_market/ssyk_kommun_annonser_2024.json);
- skills of an opening: drawn from its group's most asked-for skills, weighted by how many of the
  group's occupations ask for them (labour_market/id_taxonomy.json, joined through
  occupationIdSssykLevel4Id.json and the taxonomy's labels);
- workplace: a real locality of the municipality (municipalities/platser_tatorter_jobtech.json);
- title: a real occupation name of the group.

Without ../shared/reference the product's own fixtures (fixtures/taxonomy) are used instead, with
uniform weights, and the run says so: the shapes are then the taxonomy's but not the market's.

The openings form one stream from the seed: the corpus of n openings is the first n of it, so
10k is a prefix of 100k, which is a prefix of 1M.
"""

from __future__ import annotations

import bisect
import csv
import datetime as dt
import itertools
import json
import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

SEED = 20261201

# Swedish levels on the wire and their CEFR step (A1 = 1 ... C2 = 6), as fixtures/swedish_levels.csv maps them.
LEVEL_STEP = {"SFI A": 1, "SFI B": 2, "SFI C": 3, "SFI D": 3, "B1": 3, "SAS grund": 4, "B2": 4, "C1": 5}
OPENING_LEVELS = ["SFI B", "SFI C", "SFI D", "B1", "B2"]
PROFILE_LEVELS = ["SFI A", "SFI B", "SFI C", "SFI C", "SFI D", "SFI D", "B1", "SAS grund", "B2", "C1"]

# Licences an opening of a group often requires, as the demo data does it.
GROUP_LICENCES = {"8332": "CE", "8331": "D", "8344": "TRUCK", "4322": "TRUCK", "9412": "HYGIENE", "5120": "HYGIENE"}

# Words every generated text has, never a search of its own.
TEMPLATE_WORDS = {"arbetet", "ingår", "varierande", "uppgifter", "praktik", "till"}

FILLER = [
    "Vi erbjuder en trygg arbetsplats med kollektivavtal och goda möjligheter att utvecklas.",
    "Du är noggrann, ansvarstagande och tycker om att samarbeta med andra.",
    "Arbetet sker i team och introduktion ges de första veckorna.",
    "Tjänsten passar även dig som är ny i yrket.",
    "Körkort är meriterande men inget krav.",
    "Vi välkomnar sökande med olika bakgrund och erfarenheter.",
    "Arbetstiderna är förlagda dagtid, ibland kvällar och helger.",
    "Du får handledning av erfarna kollegor på plats.",
]


@dataclass
class Shapes:
    """The real distributions the generator draws from."""

    source: str  # "reference" or "fixtures"
    cells: list[tuple[str, str]]  # (ssyk code, municipality code)
    cum: list[float]  # cumulative weights over cells
    skills: dict[str, tuple[list[str], list[float]]]  # code -> (skill ids, cumulative weights)
    skill_label: dict[str, str]
    names: dict[str, list[str]]  # code -> occupation names
    group_label: dict[str, str]
    towns: dict[str, str]  # municipality code -> name
    places: dict[str, list[tuple[float, float]]]  # municipality code -> localities (lat, lon)
    licence_implies: dict[str, list[str]] = field(default_factory=dict)


def _cumulative(weights):
    return list(itertools.accumulate(weights))


def load_shapes(repo: Path, reference: Path) -> Shapes:
    fixtures = repo / "fixtures" / "taxonomy"
    group_label, towns = {}, {}
    with open(fixtures / "occupations.csv", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            group_label[r["ssyk_code"]] = r["label"]
    muni_point = {}
    with open(fixtures / "municipalities.csv", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            towns[r["code"]] = r["name"]
            muni_point[r["code"]] = (float(r["lat"]), float(r["lon"]))
    implies = {}
    with open(fixtures / "licences.csv", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            implies[r["code"]] = [x for x in r["implies"].split("|") if x]
    skill_label = {}
    with open(fixtures / "skills.csv", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            skill_label[r["concept_id"]] = r["label"]
    names = defaultdict(list)
    with open(fixtures / "occupation_names.csv", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            names[r["ssyk_code"]].append(r["label"])

    if reference.is_dir():
        lm = reference / "labour_market"
        code_of_group = {}
        with open(reference / "jobtech_taxonomy" / "ssyk_level4_concepts.csv", encoding="utf-8") as f:
            for r in csv.DictReader(f):
                code_of_group[r["ssyk_level4_concept_id"]] = r["ssyk_2012_code"]
        # The one group the source leaves without a code (fixtures/README.md, corrections).
        code_of_group["mNoS_AN5_drn"] = code_of_group.get("mNoS_AN5_drn") or "1220"
        code_of_muni = {}
        with open(reference / "municipalities" / "municipalities_290.csv", encoding="utf-8") as f:
            for r in csv.DictReader(f):
                code_of_muni[r["jobtech_concept_id"]] = r["municipality_code"]
        ads = json.load(open(lm / "ssyk_kommun_annonser_2024.json", encoding="utf-8"))
        cells, weights = [], []
        for gid in sorted(ads):
            code = code_of_group.get(gid)
            if not code or code not in group_label:
                continue
            for mid in sorted(ads[gid]):
                muni = code_of_muni.get(mid)
                if muni and muni in towns and ads[gid][mid] > 0:
                    cells.append((code, muni))
                    weights.append(float(ads[gid][mid]))
        # Skills per group: how many of the group's occupations list each skill among their most asked-for.
        label_to_id = {label: cid for cid, label in skill_label.items()}
        occ_group = json.load(open(lm / "occupationIdSssykLevel4Id.json", encoding="utf-8"))
        asked = json.load(open(lm / "id_taxonomy.json", encoding="utf-8"))
        per_group = defaultdict(Counter)
        for occ_id in sorted(asked):
            g = occ_group.get(occ_id)
            code = code_of_group.get(g["ssyk_id"]) if g else None
            if not code:
                continue
            for label in asked[occ_id]:
                cid = label_to_id.get(label.rstrip("✓").strip())
                if cid:
                    per_group[code][cid] += 1
        skills = {}
        for code, counter in per_group.items():
            top = sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[:30]
            skills[code] = ([cid for cid, _ in top], _cumulative([float(n) for _, n in top]))
        places = defaultdict(list)
        for p in json.load(open(reference / "municipalities" / "platser_tatorter_jobtech.json", encoding="utf-8")):
            if p.get("kommunkod") in towns:
                places[p["kommunkod"]].append((round(p["latitud"], 5), round(p["longitud"], 5)))
        source = "reference"
    else:
        # The product's fixtures: the same taxonomy, but no market counts and no localities.
        skills = {}
        with open(fixtures / "occupation_skills.csv", encoding="utf-8") as f:
            for r in csv.DictReader(f):
                ids = [x for x in r["skill_ids"].split("|") if x in skill_label]
                if ids:
                    # The file lists them most asked-for first; weigh by rank.
                    skills[r["ssyk_code"]] = (ids, _cumulative([float(len(ids) - i) for i in range(len(ids))]))
        cells = [(code, muni) for code in sorted(skills) for muni in sorted(towns)]
        weights = [1.0] * len(cells)
        places = {}
        source = "fixtures"
    for muni, point in muni_point.items():
        # A municipality without a listed locality works at its main town.
        if not places.get(muni):
            places[muni] = [point]
    return Shapes(
        source=source,
        cells=cells,
        cum=_cumulative(weights),
        skills=skills,
        skill_label=skill_label,
        names=dict(names),
        group_label=group_label,
        towns=towns,
        places=dict(places),
        licence_implies=implies,
    )


class Corpus:
    """Deterministic streams of employers, openings, profiles, queries and write bodies."""

    def __init__(self, shapes: Shapes, seed: int = SEED, today: dt.date | None = None):
        self.shapes = shapes
        self.seed = seed
        self.today = today or dt.date.today()
        self.employers = self._employers()

    def _pick_cell(self, rng):
        total = self.shapes.cum[-1]
        return self.shapes.cells[bisect.bisect_right(self.shapes.cum, rng.random() * total)]

    def _skills(self, rng, code, n):
        ids, cum = self.shapes.skills.get(code, ([], []))
        if not ids:
            return []
        chosen = []
        for _ in range(n * 4):
            if len(chosen) == min(n, len(ids)):
                break
            s = ids[bisect.bisect_right(cum, rng.random() * cum[-1])]
            if s not in chosen:
                chosen.append(s)
        return chosen

    def _employers(self):
        # A fixed pool per municipality, sized by its share of the market, so every corpus size
        # shares it and openings are a prefix of one stream.
        rng = random.Random(self.seed ^ 0xE)
        share = Counter()
        prev = 0.0
        for cell, c in zip(self.shapes.cells, self.shapes.cum):
            share[cell[1]] += c - prev
            prev = c
        total = self.shapes.cum[-1]
        employers, by_muni = [], defaultdict(list)
        kinds = ["Städ AB", "Omsorg AB", "Logistik AB", "Restauranger AB", "Handel AB", "Bygg AB", "Transport AB", "Fastigheter AB", "Industri AB", "Bemanning AB"]
        for muni in sorted(share):
            for j in range(max(1, round(5000 * share[muni] / total))):
                ref = len(employers) + 1
                employers.append({
                    "ref": ref,
                    "name": f"{self.shapes.towns[muni]} {kinds[(ref + j) % len(kinds)]} {j + 1}",
                    "org_number": f"55{ref:04d}-{rng.randrange(1000, 9999)}",
                    "municipality_code": muni,
                })
                by_muni[muni].append(ref)
        self.employers_by_muni = by_muni
        return employers

    def opening(self, rng: random.Random) -> dict:
        s = self.shapes
        code, muni = self._pick_cell(rng)
        town = s.towns[muni]
        names = s.names.get(code) or [s.group_label[code]]
        title = names[rng.randrange(len(names))]
        skills = self._skills(rng, code, rng.randint(1, 6))
        must_n = min(len(skills), rng.randint(1, 3))
        internship = rng.random() < 0.15
        labels = [s.skill_label[x].lower() for x in skills]
        licences = []
        group_licence = GROUP_LICENCES.get(code)
        if group_licence and rng.random() < (0.9 if group_licence in ("CE", "D") else 0.4):
            licences.append(group_licence)
        elif rng.random() < 0.12:
            licences.append("B")
        lat, lon = s.places[muni][rng.randrange(len(s.places[muni]))]
        start = self.today + dt.timedelta(days=rng.randint(-10, 60))
        # About one in twenty deadlines has passed: the hard rule has something to exclude.
        deadline = self.today + dt.timedelta(days=rng.randint(-3, 60))
        swedish = OPENING_LEVELS[rng.randrange(len(OPENING_LEVELS))] if rng.random() < 0.7 else None
        description = " ".join([
            f"Vi söker en {title.lower()} till vår verksamhet i {town}.",
            f"I arbetet ingår {', '.join(labels) if labels else 'varierande uppgifter'}.",
            *rng.sample(FILLER, 2),
        ])
        refs = self.employers_by_muni[muni]
        employer = refs[rng.randrange(len(refs))]
        body = {
            "employer_ref": employer,
            "kind": "internship" if internship else "vacancy",
            "title": f"Praktik som {title.lower()}" if internship else f"{title} till {town}",
            "description": description,
            "occupation": code,
            "skills_required": skills[:must_n],
            "skills_merit": skills[must_n:],
            "swedish_min": swedish,
            "swedish_required": swedish is not None and rng.random() < 0.25,
            "licences": licences,
            "municipality_code": muni,
            "location": {"lat": lat, "lon": lon},
            "places": rng.randint(1, 3),
            "start_date": start.isoformat(),
            "deadline": max(deadline, start - dt.timedelta(days=30)).isoformat(),
            "hours": "full" if rng.random() < 0.7 else "part",
            "employment_form": "other" if internship else ["ordinary", "nystartsjobb", "lonebidrag", "introduktionsjobb", "extratjanst"][rng.randrange(5)],
            "supervisor": internship or rng.random() < 0.3,
        }
        if body["swedish_min"] is None:
            del body["swedish_min"]
        return body

    def openings(self, n: int):
        rng = random.Random(self.seed)
        for _ in range(n):
            yield self.opening(rng)

    def held_licences(self, codes):
        """Licences a holder of `codes` holds, with what they imply (CE => C => C1 => B => AM)."""
        held, todo = set(), list(codes)
        while todo:
            c = todo.pop()
            if c not in held:
                held.add(c)
                todo.extend(self.shapes.licence_implies.get(c, []))
        return sorted(held)

    def profiles(self, n: int = 200) -> list[dict]:
        """Participant profiles: `body` is what POST /v1/match takes (skills as the taxonomy's
        labels, as a coach types them); `resolved` is the same in codes, for the SQL peers."""
        s = self.shapes
        rng = random.Random(self.seed ^ 0xBEEF)
        out = []
        for i in range(n):
            code, muni = self._pick_cell(rng)
            skills = self._skills(rng, code, rng.randint(2, 8))
            occupations = [{"code": code, "years": round(rng.uniform(0, 8), 1)}]
            if rng.random() < 0.3:
                other, _ = self._pick_cell(rng)
                if other != code:
                    occupations.append({"code": other, "years": round(rng.uniform(0, 3), 1)})
            level = PROFILE_LEVELS[rng.randrange(len(PROFILE_LEVELS))]
            licences = []
            if rng.random() < 0.5:
                licences.append("B")
            if code in ("8332", "8331") and rng.random() < 0.7:
                licences.append(GROUP_LICENCES[code])
            if code in ("8344", "4322") and rng.random() < 0.5:
                licences.append("TRUCK")
            travel = [None, 10, 20, 30, 50, 80][rng.randrange(6)]
            available = self.today + dt.timedelta(days=rng.randint(0, 30))
            lat, lon = s.places[muni][rng.randrange(len(s.places[muni]))]
            hours = ["full", "part", "any"][rng.randrange(3)]
            body = {
                "skills": [s.skill_label[x].lower() for x in skills],
                "occupations": occupations,
                "swedish_level": level,
                "municipality_code": muni,
                "location": {"lat": lat, "lon": lon},
                "licences": [{"TRUCK": "truckkort", "HYGIENE": "hygienbevis"}.get(x, x) for x in licences],
                "available_from": available.isoformat(),
                "hours": hours,
            }
            if travel is not None:
                body["max_travel_km"] = travel
            out.append({
                "body": body,
                "resolved": {
                    "skills": skills,
                    "skill_words": [w for x in skills for w in s.skill_label[x].lower().replace(",", " ").split() if len(w) > 2],
                    "occupations": [[o["code"], o["years"]] for o in occupations],
                    "swedish_step": LEVEL_STEP[level],
                    "lat": lat,
                    "lon": lon,
                    "max_travel_km": travel,
                    "licences": self.held_licences(licences),
                    "available_from": available.isoformat(),
                    "hours": hours,
                },
            })
        return out

    def queries(self, openings_sample: list[dict], n: int = 100) -> list[str]:
        """Two-word AND searches: two distinct words of one opening's title and skills, so every query
        has at least one hit and words are as frequent as the corpus makes them. "lager truck"
        is always the first."""
        rng = random.Random(self.seed ^ 0x5EA)
        out = ["lager truck"]
        seen = set(out)
        while len(out) < n:
            o = openings_sample[rng.randrange(len(openings_sample))]
            # The job title and the skills: what someone would search for, not the template's words.
            text = o["title"].split(" till ")[0] + " " + o["description"].split(". ")[1]
            words = sorted({w.strip(".,:;()").lower() for w in text.split()} - TEMPLATE_WORDS)
            words = [w for w in words if len(w) >= 4 and w.isalpha()]
            if len(words) < 2:
                continue
            a, b = rng.sample(words, 2)
            q = f"{a} {b}"
            if q not in seen:
                seen.add(q)
                out.append(q)
        return out

    def writes(self, n: int, employer_ids: list[int]) -> list[dict]:
        """Bodies for POST /v1/openings, from a stream of their own, with the employer named by
        the id the import gave it (a matcher posts for any employer)."""
        rng = random.Random(self.seed ^ 0x7717E)
        out = []
        for _ in range(n):
            o = self.opening(rng)
            o["employer_id"] = employer_ids[o.pop("employer_ref") - 1]
            out.append(o)
        return out


def write_import_file(path: Path, corpus: Corpus, openings_jsonl: Path, n: int):
    """The `jobmatch import` file for the first n openings: every employer, no participants."""
    with open(path, "w", encoding="utf-8") as out, open(openings_jsonl, encoding="utf-8") as src:
        out.write('{"employers":')
        json.dump(corpus.employers, out, ensure_ascii=False)
        out.write(',"participants":[],"openings":[\n')
        for i, line in enumerate(itertools.islice(src, n)):
            if i:
                out.write(",\n")
            out.write(line.rstrip("\n"))
        out.write("\n]}\n")
