#!/usr/bin/env python3
"""Joins a later batch of labels to its postings and adds them to data/devset/v2 by the same
split rule as freeze_devset.py (SHA-256 of the normalised title + description, 35 % of buckets to
test), so the test share stays above 30 % and exact repeats of a test posting never reach train.

    python3 data/tools/add_to_devset.py SAMPLE_DIR LABEL_DIR data/devset/v2

SAMPLE_DIR holds the drawn postings (*.jsonl, e.g. from sample_more_us.py), LABEL_DIR the
labelers' files (*.labels.jsonl). Run once per batch, right after labeling and before any tuning;
an id already in the set is refused.
"""
import glob, hashlib, json, os, sys

sample_dir, label_dir, out = sys.argv[1:4]


def group(p):  # the same function as freeze_devset.py's
    key = (" ".join(p["title"].lower().split()) + "\n" + " ".join((p.get("description") or "").lower().split())).encode("utf-8")
    return int(hashlib.sha256(key).hexdigest()[:8], 16) % 100


have = set()
for f in ("train.jsonl", "test.jsonl"):
    for line in open(os.path.join(out, f), encoding="utf-8"):
        if line.strip():
            have.add(json.loads(line)["id"])
labels = {}
for f in sorted(glob.glob(os.path.join(label_dir, "*.labels.jsonl"))):
    for n, line in enumerate(open(f, encoding="utf-8"), 1):
        if line.strip():
            l = json.loads(line)
            if l["id"] in labels:
                sys.exit(f"{f}, line {n}: id {l['id']} labeled twice")
            labels[l["id"]] = l
added = {"train.jsonl": [], "test.jsonl": []}
for f in sorted(glob.glob(os.path.join(sample_dir, "*.jsonl"))):
    if f.endswith(".labels.jsonl"):
        continue
    for n, line in enumerate(open(f, encoding="utf-8"), 1):
        p = json.loads(line)
        if p["id"] in have:
            sys.exit(f"{f}, line {n}: {p['id']} is already in {out}")
        l = labels.get(p["id"])
        if l is None:
            sys.exit(f"{f}, line {n}: {p['id']} has no label")
        cyber = bool(l["is_cyber"])
        row = dict(p)
        row["is_cyber"] = cyber
        row["nice_role"] = l.get("nice_role") if cyber else None
        row["nice_roles"] = (l.get("nice_roles") or []) if cyber else []
        row["platform_role"] = l.get("platform_role") if cyber else None
        row["platform_roles"] = (l.get("platform_roles") or []) if cyber else []
        row["why"] = l.get("why", "")
        added["test.jsonl" if group(p) < 35 else "train.jsonl"].append(row)
        have.add(p["id"])
for name, rows in added.items():
    with open(os.path.join(out, name), "a", encoding="utf-8") as w:
        for r in rows:
            w.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(name, "+", len(rows))
