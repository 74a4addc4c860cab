#!/usr/bin/env python3
"""Draws the second batch of US federal postings for data/devset/v2 (issue 11, session 2).

Every USAJOBS posting not already in data/devset/{postings,holdout}.jsonl or data/devset/v2 and not
an exact repeat (same title and summary, case of the title ignored) of a v2 posting or of another, shuffled with seed 1111
and dealt into four files of 140 for four labelers. Run from the repository root:

    python3 data/tools/sample_more_us.py ../shared/data/jobs OUT_DIR

It writes OUT_DIR/us-{1,2,3,4}.jsonl in the same shape as sample_devset.py's output.
"""
import json, os, random, sys

jobs, out = sys.argv[1], sys.argv[2]
seen, keys = set(), set()
for f in ("data/devset/postings.jsonl", "data/devset/holdout.jsonl",
          "data/devset/v2/train.jsonl", "data/devset/v2/test.jsonl"):
    for line in open(f, encoding="utf-8"):
        if line.strip():
            j = json.loads(line)
            seen.add(j["id"])
            if j.get("source") == "usajobs" and "/v2/" in f:
                keys.add((j["title"].strip().lower(), (j.get("description") or "").strip()))
rows = []
for line in open(os.path.join(jobs, "usajobs-cyber.jsonl"), encoding="utf-8"):
    j = json.loads(line)
    pid = f"usajobs-{j['job_id']}"
    key = (j["title"].strip().lower(), (j.get("description") or "").strip())
    if pid in seen or key in keys:
        continue
    keys.add(key)
    rows.append({"id": pid, "source": "usajobs", "lang": "en", "title": j["title"].strip(),
                 "description": j.get("description") or None, "employer": j.get("organization") or None,
                 "location": (j.get("locations") or [None])[0], "salary": None})
random.Random(1111).shuffle(rows)
for i in range(4):
    with open(os.path.join(out, f"us-{i + 1}.jsonl"), "w", encoding="utf-8") as f:
        for p in rows[i::4]:
            f.write(json.dumps(p, ensure_ascii=False) + "\n")
print(len(rows))
