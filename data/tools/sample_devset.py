#!/usr/bin/env python3
"""Draws the postings of the labeled set (data/devset/v2, issue 11) from the real job files.

Deterministic (seed 11). Postings already in data/devset/postings.jsonl or holdout.jsonl are
left out so those older sets stay independent. Run from the repository root:

    python3 data/tools/sample_devset.py ../shared/data/jobs OUT_DIR

It writes OUT_DIR/{us,zh}-sample.jsonl: id, source, lang, title, description, employer,
location, salary (the posting as `classify` reads it). Strata (what each draw aims at):

- USAJOBS: exact repeats (same title and summary) dropped, at most 3 postings per title, then
  600 drawn at random.
- Lagou 2017 (the full 95,849-row crawl, one row per posting id): 340 titles that name a
  security word (安全, 渗透, 攻防, 逆向, 漏洞, 等保, 风控, 审计, 合规, 隐私 …), 60 titles from the
  data / AI / operations / network / test / DBA families (the hard negatives), 20 of any other.
- 51job 2023-24 (id: 0-based row number; tags as the description): 110 rows whose title or tags name such a word, 70
  others (mostly Python, data and AI jobs).
"""
import csv, json, random, re, sys, os

jobs, out = sys.argv[1], sys.argv[2]
rng = random.Random(11)
seen = set()
for f in ("data/devset/postings.jsonl", "data/devset/holdout.jsonl"):
    for line in open(f, encoding="utf-8"):
        if line.strip():
            seen.add(json.loads(line)["id"])

SEC = re.compile(r"安全|渗透|攻防|逆向|漏洞|等保|风控|反作弊|反欺诈|取证|病毒|安服|威胁|soc|security|红队|蓝队|审计|合规|隐私|网安|信安|密码|密评|白帽|黑客|cyber", re.I)
HARD = re.compile(r"数据|算法|nlp|机器学习|深度学习|标注|运维|网络工程师|测试|dba|风控|系统工程师|架构", re.I)

def post(id, source, lang, title, desc, employer, location, salary):
    return {"id": id, "source": source, "lang": lang, "title": title.strip(), "description": desc or None,
            "employer": employer or None, "location": location or None, "salary": salary or None}

# USAJOBS
us, keys, per_title = [], set(), {}
for line in open(os.path.join(jobs, "usajobs-cyber.jsonl"), encoding="utf-8"):
    j = json.loads(line)
    pid = f"usajobs-{j['job_id']}"
    key = (j["title"].strip().lower(), (j.get("description") or "").strip())
    if pid in seen or key in keys:
        continue
    keys.add(key)
    us.append(post(pid, "usajobs", "en", j["title"], j.get("description"), j.get("organization"),
                   (j.get("locations") or [None])[0], None))
rng.shuffle(us)
us_pick = []
for p in us:
    t = p["title"].lower()
    if per_title.get(t, 0) >= 3:
        continue
    per_title[t] = per_title.get(t, 0) + 1
    us_pick.append(p)
    if len(us_pick) == 600:
        break

# Lagou
lagou = {}
for r in csv.DictReader(open(os.path.join(jobs, "lagou-2017.csv"), encoding="utf-8")):
    pid = f"lagou-{r['职位编码']}"
    if pid in seen or pid in lagou:
        continue
    lagou[pid] = post(pid, "lagou", "zh", r["职位名称"], None, r["公司全称"] or r["公司名称"], r["所在城市"], r["薪资待遇"])
ids = sorted(lagou)
rng.shuffle(ids)
sec = [i for i in ids if SEC.search(lagou[i]["title"])]
hard = [i for i in ids if not SEC.search(lagou[i]["title"]) and HARD.search(lagou[i]["title"])]
other = [i for i in ids if not SEC.search(lagou[i]["title"]) and not HARD.search(lagou[i]["title"])]
zh_pick = [lagou[i] for i in sec[:340] + hard[:60] + other[:20]]

# 51job
rows = []
for n, r in enumerate(csv.DictReader(open(os.path.join(jobs, "51job-2023-2024.csv"), encoding="utf-8"))):
    pid = f"51job-{n}"
    if pid in seen:
        continue
    rows.append(post(pid, "51job", "zh", r["jobName"], r["tags"], r["companyName"], r["area"], r["salary"]))
rng.shuffle(rows)
titles = set()
uniq = []
for p in rows:  # the 51job crawl repeats postings; one of each title + tags
    k = (p["title"], p["description"])
    if k not in titles:
        titles.add(k)
        uniq.append(p)
sec51 = [p for p in uniq if SEC.search(p["title"] + " " + (p["description"] or ""))]
oth51 = [p for p in uniq if not SEC.search(p["title"] + " " + (p["description"] or ""))]
zh_pick += sec51[:110] + oth51[:70]

for name, items in (("us", us_pick), ("zh", zh_pick)):
    with open(os.path.join(out, f"{name}-sample.jsonl"), "w", encoding="utf-8") as f:
        for p in items:
            f.write(json.dumps(p, ensure_ascii=False) + "\n")
    print(name, len(items))
