#!/usr/bin/env python3
"""Joins the labels to the sampled postings and freezes the train/test split of data/devset/v2.

    python3 data/tools/freeze_devset.py SAMPLE_DIR LABEL_DIR data/devset/v2

SAMPLE_DIR holds {us,zh}-sample.jsonl from sample_devset.py; LABEL_DIR the labelers' JSON Lines
(one object per posting: id, is_cyber, nice_role, nice_roles, platform_role, platform_roles, why).
The split is by a SHA-256 of the posting's normalised title + description, so exact repeats of a
posting fall on the same side: 35 % test. It was run once, before any tuning; the test file is
never read by training.
"""
import glob, hashlib, json, os, sys

sample_dir, label_dir, out = sys.argv[1:4]
labels = {}
for f in sorted(glob.glob(os.path.join(label_dir, "*.jsonl"))):
    for n, line in enumerate(open(f, encoding="utf-8"), 1):
        if line.strip():
            l = json.loads(line)
            if l["id"] in labels:
                sys.exit(f"{f}, line {n}: id {l['id']} labeled twice")
            labels[l["id"]] = l
rows = []
for f in ("us-sample.jsonl", "zh-sample.jsonl"):
    for line in open(os.path.join(sample_dir, f), encoding="utf-8"):
        p = json.loads(line)
        l = labels.get(p["id"])
        if l is None:
            sys.exit(f"{p['id']} has no label")
        cyber = bool(l["is_cyber"])
        row = dict(p)
        row["is_cyber"] = cyber
        row["nice_role"] = l.get("nice_role") if cyber else None
        row["nice_roles"] = l.get("nice_roles") or [] if cyber else []
        row["platform_role"] = l.get("platform_role") if cyber else None
        row["platform_roles"] = l.get("platform_roles") or [] if cyber else []
        row["why"] = l.get("why", "")
        rows.append(row)

def group(p):
    key = (" ".join(p["title"].lower().split()) + "\n" + " ".join((p.get("description") or "").lower().split())).encode("utf-8")
    return int(hashlib.sha256(key).hexdigest()[:8], 16) % 100

os.makedirs(out, exist_ok=True)
with open(os.path.join(out, "train.jsonl"), "w", encoding="utf-8") as tr, open(os.path.join(out, "test.jsonl"), "w", encoding="utf-8") as te:
    for p in rows:
        (te if group(p) < 35 else tr).write(json.dumps(p, ensure_ascii=False) + "\n")
