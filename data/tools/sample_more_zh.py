#!/usr/bin/env python3
"""Draws the second batch of Chinese postings for data/devset/v2 (issue 11, session 2).

Postings not already in data/devset/{postings,holdout}.jsonl or data/devset/v2 and not an exact
repeat (title + description) of one there; seed 1112. Run from the repository root:

    python3 data/tools/sample_more_zh.py ../shared/data/jobs OUT_DIR

It writes OUT_DIR/zh-{1,2,3}.jsonl (100 each, shuffled together):
- 51job 2023-24: 150 rows whose title or tags name a security word (the same word list as
  sample_devset.py), 50 others whose title names a data / AI / chip / network / operations /
  test / sales word (the hard negatives: SoC chip jobs, sales, algorithm and data jobs);
- Lagou 2017: 70 titles naming a security word, 30 hard negatives as above.
"""
import csv, json, os, random, re, sys

jobs, out = sys.argv[1], sys.argv[2]
rng = random.Random(1112)
seen, keys = set(), set()
for f in ("data/devset/postings.jsonl", "data/devset/holdout.jsonl",
          "data/devset/v2/train.jsonl", "data/devset/v2/test.jsonl"):
    for line in open(f, encoding="utf-8"):
        if line.strip():
            j = json.loads(line)
            seen.add(j["id"])
            keys.add((j["title"].strip(), (j.get("description") or "").strip()))

SEC = re.compile(r"安全|渗透|攻防|逆向|漏洞|等保|风控|反作弊|反欺诈|取证|病毒|安服|威胁|soc|security|红队|蓝队|审计|合规|隐私|网安|信安|密码|密评|白帽|黑客|cyber", re.I)
HARD = re.compile(r"数据|算法|nlp|机器学习|深度学习|标注|运维|网络工程师|测试|dba|系统工程师|架构|销售|芯片|验证|ic|fpga|硬件|产品经理", re.I)


def post(id, source, title, desc, employer, location, salary):
    return {"id": id, "source": source, "lang": "zh", "title": title.strip(), "description": desc or None,
            "employer": employer or None, "location": location or None, "salary": salary or None}


def fresh(p):
    k = (p["title"], (p["description"] or "").strip())
    if p["id"] in seen or k in keys:
        return False
    keys.add(k)
    return True


rows = [post(f"51job-{n}", "51job", r["jobName"], r["tags"], r["companyName"], r["area"], r["salary"])
        for n, r in enumerate(csv.DictReader(open(os.path.join(jobs, "51job-2023-2024.csv"), encoding="utf-8")))]
rng.shuffle(rows)
rows = [p for p in rows if fresh(p)]
text = lambda p: p["title"] + " " + (p["description"] or "")
pick = [p for p in rows if SEC.search(text(p))][:150]
pick += [p for p in rows if not SEC.search(text(p)) and HARD.search(p["title"])][:50]

lagou = {}
for r in csv.DictReader(open(os.path.join(jobs, "lagou-2017.csv"), encoding="utf-8")):
    pid = f"lagou-{r['职位编码']}"
    if pid not in lagou:
        lagou[pid] = post(pid, "lagou", r["职位名称"], None, r["公司全称"] or r["公司名称"], r["所在城市"], r["薪资待遇"])
ids = sorted(lagou)
rng.shuffle(ids)
lg = [lagou[i] for i in ids if fresh(lagou[i])]
pick += [p for p in lg if SEC.search(p["title"])][:70]
pick += [p for p in lg if not SEC.search(p["title"]) and HARD.search(p["title"])][:30]

rng.shuffle(pick)
for i in range(3):
    with open(os.path.join(out, f"zh-{i + 1}.jsonl"), "w", encoding="utf-8") as f:
        for p in pick[i::3]:
            f.write(json.dumps(p, ensure_ascii=False) + "\n")
print(len(pick))
