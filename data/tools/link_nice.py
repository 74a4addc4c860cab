#!/usr/bin/env python3
"""Propose skill -> NICE K/S statement links by whole-phrase match.

For every skill in data/lexicon/*.csv, each English surface form (name_en and
ASCII aliases of at least 4 characters) is searched, as whole words, in the
text of NICE v2.1.0 knowledge and skill statements. Up to 6 statements per
skill are kept, preferring longer phrases. The output, data/lexicon/nice-links.csv,
is committed and reviewed like any other data file; re-run after editing the
lexicon:  python3 data/tools/link_nice.py
"""
import csv, glob, json, os, re

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GENERIC = {"security", "data", "network", "system", "systems", "analysis", "management",
           "testing", "design", "development", "operations", "software", "knowledge", "skill",
           "tools", "principles", "policy", "risk", "audit", "monitoring", "compliance",
           "engineering", "programming", "vault", "research", "reporting", "communication", "go language"}

def main():
    nice = json.load(open(os.path.join(ROOT, "frameworks/nice-v2.1.0.json"), encoding="utf8"))
    stmts = [(e["element_identifier"], e["text"].lower())
             for e in nice["response"]["elements"]["elements"]
             if e["element_type"] in ("knowledge", "skill")]
    rows = []
    for path in sorted(glob.glob(os.path.join(ROOT, "lexicon/*.csv"))):
        if path.endswith(("domains.csv", "nice-links.csv")):
            continue
        with open(path, encoding="utf8") as f:
            for rec in csv.DictReader(f, delimiter="|"):
                forms = {rec["name_en"].lower()} | {a.lower() for a in rec["aliases"].split(";") if a}
                forms = sorted((p for p in forms if p.isascii() and len(p) >= 4 and p not in GENERIC),
                               key=len, reverse=True)
                found = []
                for phrase in forms:
                    pat = re.compile(r"(?<![a-z0-9])" + re.escape(phrase) + r"(?![a-z0-9])")
                    for sid, text in stmts:
                        if sid not in found and pat.search(text):
                            found.append(sid)
                for sid in found[:6]:
                    rows.append((rec["id"], sid))
    out = os.path.join(ROOT, "lexicon/nice-links.csv")
    with open(out, "w", encoding="utf8", newline="") as f:
        f.write("skill_id|statement_id|method\n")
        for sk, sid in rows:
            f.write(f"{sk}|{sid}|phrase-match\n")
    print(f"{len(rows)} links for {len({r[0] for r in rows})} skills -> {out}")

if __name__ == "__main__":
    main()
