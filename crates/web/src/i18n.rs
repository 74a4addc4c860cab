//! Interface text in Chinese and English. Data (role and skill names) carries
//! its own `name_zh` / `name_en`; this table holds only the words of the pages.

use cb_core::Lang;

/// `(key, 中文, English)`. A test checks every key a template uses is here.
pub const STRINGS: &[(&str, &str, &str)] = &[
    ("app.name", "网络安全产教融合平台", "cyberbridge"),
    (
        "app.tagline",
        "岗位需求与人才培养对接到同一能力模型",
        "Job demand and training mapped onto one competency model",
    ),
    ("nav.framework", "能力框架", "Framework"),
    ("nav.roles", "岗位目录", "Role catalog"),
    ("nav.skills", "技能词库", "Skill lexicon"),
    ("nav.certifications", "证书", "Certifications"),
    ("nav.search", "搜索", "Search"),
    ("nav.api", "API", "API"),
    ("nav.talent", "人才库", "Talent pool"),
    ("nav.insight", "态势感知", "Insight"),
    ("insight.title", "供需态势", "Supply and demand"),
    (
        "insight.intro",
        "岗位需求与人才供给在同一能力模型上的对照。所有筛选条件都在网址中，可收藏、可分享；点击图表中的任一元素可查看其背后的岗位。",
        "Job demand and talent supply on one competency model. Every filter lives in the URL, so a view can be bookmarked and shared; click any chart element to see the postings behind it.",
    ),
    ("insight.data_period", "数据覆盖：", "Data covers"),
    ("insight.country", "国家", "Country"),
    ("insight.cn", "中国", "China"),
    ("insight.us", "美国", "United States"),
    ("insight.any", "全部", "Any"),
    ("insight.province", "省份/州", "Province/state"),
    ("insight.period", "时间段", "Period"),
    ("insight.role", "平台岗位", "Platform role"),
    ("insight.category", "NICE 类别", "NICE category"),
    ("insight.skill", "技能", "Skill"),
    ("insight.education", "学历", "Education"),
    (
        "insight.max_exp",
        "经验上限（年）",
        "Max. experience (years)",
    ),
    ("insight.source", "来源", "Source"),
    ("insight.program", "专业（供给侧）", "Program (supply side)"),
    ("insight.industry", "行业", "Industry"),
    ("insight.holders", "持证", "holders"),
    ("def.holders", "持证人数", "Certificate holders"),
    (
        "insight.growth_alert",
        "岗位增减预警阈值",
        "Role growth alert at",
    ),
    (
        "insight.gap_alert",
        "技能缺口预警阈值",
        "Skill gap alert at",
    ),
    ("insight.apply", "应用", "Apply"),
    ("insight.reset", "清除筛选", "Clear filters"),
    ("insight.print", "打印 / 导出 PDF", "Print / save as PDF"),
    ("insight.postings", "岗位数", "Postings"),
    ("insight.postings_unit", "个岗位", "postings"),
    ("insight.openings", "招聘人数", "Openings"),
    ("insight.growth", "环比", "vs previous period"),
    ("insight.growth_yoy", "同比", "Year on year"),
    (
        "insight.median_salary",
        "月薪中位数",
        "Median monthly salary",
    ),
    ("insight.entry_level", "入门岗位占比", "Entry-level share"),
    ("insight.people", "人才库人数", "People in the pool"),
    (
        "insight.population",
        "统计对象：符合筛选条件的网络安全岗位（去重后）；供给为同意纳入统计的人才库人员。",
        "Counted: cybersecurity postings (de-duplicated) matching the filters; supply: people in the talent pool who consented to analytics.",
    ),
    ("insight.see_postings", "查看这些岗位", "See these postings"),
    ("insight.alerts", "预警", "Alerts"),
    ("insight.gap", "缺口", "gap"),
    ("insight.by_month", "岗位数（按月）", "Postings by month"),
    ("insight.map_cn", "各省岗位分布", "Postings by province"),
    ("insight.map_us", "各州岗位分布", "Postings by state"),
    (
        "insight.map_hint",
        "颜色越深岗位越多；点击查看该地区。",
        "Darker means more postings; click a region to focus on it.",
    ),
    (
        "insight.top_skills",
        "需求最多的技能",
        "Most requested skills",
    ),
    (
        "insight.top_roles",
        "需求最多的岗位",
        "Most requested roles",
    ),
    ("insight.supply_demand", "供给与需求", "Supply vs demand"),
    ("insight.ready", "就绪人数", "Ready people"),
    ("insight.near_ready", "接近就绪", "Near-ready"),
    (
        "insight.gaps",
        "技能缺口（百分点）",
        "Skill gaps (percentage points)",
    ),
    (
        "insight.ratios",
        "各岗位供需比",
        "Supply/demand ratio per role",
    ),
    ("insight.ratio", "供需比", "Ratio"),
    ("insight.lq", "区位商", "Location quotient"),
    ("insight.role_postings", "该岗位岗位数", "Role postings"),
    ("insight.region_postings", "地区岗位数", "Region postings"),
    ("insight.emerging", "新兴技能", "Emerging skills"),
    ("insight.fading", "衰退技能", "Fading skills"),
    (
        "insight.trends_need_period",
        "选择一个时间段后显示与上一时间段相比的变化。",
        "Choose a period to see changes against the period before.",
    ),
    ("insight.top_titles", "常见岗位名称", "Common titles"),
    (
        "insight.no_data",
        "所选国家、地区和时间段内没有岗位数据：请换一个时间段或放宽筛选条件。",
        "No postings match the chosen country, region and period: choose another period or widen the filters.",
    ),
    ("insight.months_gap", "无数据", "no data"),
    ("insight.too_few", "岗位太少", "too few postings"),
    (
        "insight.too_few_to_compare",
        "岗位太少，无法比较：两个时间段各需至少 30 个岗位（地区的区位商需至少 20 个岗位）。",
        "Too few postings to compare: each period needs at least 30 postings (a region's location quotient at least 20).",
    ),
    (
        "insight.top_certs",
        "常被要求的证书",
        "Most requested certifications",
    ),
    ("insight.definitions", "指标定义", "Definitions"),
    (
        "insight.role_skills",
        "岗位核心技能：需求与供给",
        "The role's core skills: demand and supply",
    ),
    (
        "insight.role_skills_rule",
        "需求占比：该岗位岗位中要求该技能的比例；供给占比：人才库中该技能达到熟练（≥ 3 级）的人员比例（同一地区）。",
        "Demand share: share of the role's postings asking for the skill; supply share: share of people proficient in it (level ≥ 3), same region.",
    ),
    ("insight.demand_share", "需求占比", "Demand share"),
    ("insight.supply_share", "供给占比", "Supply share"),
    (
        "insight.in_framework",
        "在能力框架中查看",
        "In the framework",
    ),
    (
        "insight.see_demand",
        "查看供需态势",
        "See supply and demand",
    ),
    (
        "insight.skill_share",
        "要求该技能的岗位占比（按月）",
        "Share of postings asking for the skill, by month",
    ),
    (
        "insight.region_roles",
        "该地区集中的岗位（区位商）",
        "Roles concentrated in the region (location quotient)",
    ),
    (
        "insight.drill_title",
        "岗位明细",
        "The postings behind the figure",
    ),
    ("insight.export_csv", "导出 CSV", "Export CSV"),
    (
        "insight.drill_limit",
        "显示最新的 200 条。",
        "The newest 200 are shown.",
    ),
    ("insight.posting", "岗位", "Posting"),
    ("insight.employer", "雇主", "Employer"),
    ("insight.where", "地点", "Where"),
    ("insight.posted", "发布日期", "Posted"),
    ("insight.salary", "月薪", "Monthly salary"),
    ("edu.vocational", "中专/职高", "Vocational"),
    ("edu.associate", "大专", "Associate"),
    ("edu.bachelor", "本科", "Bachelor"),
    ("edu.master", "硕士", "Master"),
    ("edu.doctorate", "博士", "Doctorate"),
    ("def.postings", "岗位数", "Postings"),
    ("def.openings", "招聘人数", "Openings"),
    ("def.growth", "环比与同比", "Growth"),
    ("def.salary", "薪资", "Salary"),
    ("def.entry_level", "入门岗位占比", "Entry-level share"),
    ("def.supply", "供给", "Supply"),
    ("def.ratio", "供需比", "Supply/demand ratio"),
    ("def.gap", "技能缺口", "Skill gap"),
    ("def.location_quotient", "区位商", "Location quotient"),
    ("def.trends", "新兴与衰退技能", "Emerging and fading skills"),
    ("signin.title", "登录", "Sign in"),
    (
        "signin.intro",
        "人才库含个人数据，仅限授权人员查看。在账号体系上线前，请使用运营令牌（配置项 operator_token）登录。",
        "The talent pool holds personal data and is for authorised people only. Until accounts arrive, sign in with the operator token (setting operator_token).",
    ),
    ("signin.token", "运营令牌", "Operator token"),
    ("signin.submit", "登录", "Sign in"),
    ("signin.out", "退出登录", "Sign out"),
    (
        "signin.wrong",
        "用户名或密码不正确。",
        "The user name or password is not right.",
    ),
    (
        "signin.csrf",
        "表单已过期，请重新提交。",
        "The form expired; please submit it again.",
    ),
    (
        "signin.too_many",
        "失败次数过多，请 15 分钟后再试。",
        "Too many failed attempts; try again in 15 minutes.",
    ),
    ("talent.title", "人才库", "Talent pool"),
    (
        "talent.intro",
        "学校、专业、班级与学生，以及由成绩、企业评价、竞赛、证书与获奖得出的能力画像。标注“合成”的为演示用合成数据，不对应真实个人。",
        "Schools, programs, cohorts and students, with competency profiles from grades, enterprise evaluations, competitions, certificates and awards. People marked “synthetic” are generated demo data, not real persons.",
    ),
    ("talent.schools", "所学校", "schools"),
    ("talent.programs", "个专业", "programs"),
    ("talent.people", "人", "people"),
    ("talent.evidence", "条能力证据", "pieces of evidence"),
    ("talent.cohorts", "班级", "Cohorts"),
    ("talent.school", "学校", "School"),
    ("talent.program", "专业", "Program"),
    ("talent.cohort", "班级", "Cohort"),
    ("talent.entry_year", "入学年份", "Entry year"),
    ("talent.name", "姓名", "Name"),
    ("talent.student_number", "学号", "Student number"),
    ("talent.graduation_year", "毕业年份", "Graduation year"),
    ("talent.region", "地区", "Region"),
    ("talent.synthetic", "合成", "synthetic"),
    ("talent.more", "下一页", "Next page"),
    ("profile.title", "能力画像", "Competency profile"),
    ("profile.as_of", "计算日期", "As of"),
    ("profile.areas", "能力领域", "Competency areas"),
    (
        "profile.radar",
        "NICE 能力领域雷达图（等级 0–5）",
        "Radar of NICE competency areas (level 0–5)",
    ),
    ("profile.area", "领域", "Area"),
    ("profile.level", "等级", "Level"),
    ("profile.confidence", "置信度", "Confidence"),
    ("profile.skills", "技能", "Skills"),
    ("profile.skill", "技能", "Skill"),
    (
        "profile.area_rule",
        "领域等级 = 该领域各技能等级按置信度加权的平均；置信度 = 各技能置信度的平均。",
        "Area level = the confidence-weighted mean of its skills' levels; confidence = the mean of their confidences.",
    ),
    ("profile.readiness", "岗位就绪度", "Readiness per role"),
    ("profile.role", "岗位", "Role"),
    ("profile.score", "就绪度", "Readiness"),
    ("profile.status", "状态", "Status"),
    ("profile.missing", "尚缺技能", "Missing skills"),
    (
        "profile.readiness_rule",
        "就绪度 = 岗位核心技能中达到要求等级（默认 3）的比例；≥ 0.8 为就绪，0.6–0.8 为接近就绪。显示得分最高的 12 个平台岗位。",
        "Readiness = share of the role's core skills held at the required level (3 by default); ≥ 0.8 ready, 0.6–0.8 near-ready. The 12 best-scoring platform roles are shown.",
    ),
    ("profile.next", "下一步学习建议", "What to learn next"),
    (
        "profile.next_none",
        "最接近的岗位已无缺失的核心技能。",
        "No core skill is missing for the closest roles.",
    ),
    (
        "profile.next_rule",
        "按对最接近的三个岗位就绪度的提升排序（每个岗位 1/核心技能数）。",
        "Ranked by how much readiness each adds across the three closest roles (1 / core size per role).",
    ),
    (
        "profile.because",
        "依据（证据 · 评价方 · 等级 × 权重）",
        "Because of (evidence · judge · level × weight)",
    ),
    (
        "profile.level_rule",
        "技能等级 = Σ(权重 × 等级) / Σ权重；权重 = 评价方权重（学校 0.5、企业 0.5、实践 0.3、证书 0.2，专业可调）× 时效衰减（每 730 天减半）；置信度 = 1 − e^(−Σ权重)，≥ 0.67 为高、≥ 0.34 为中、其余为低。等级取整后以 1 了解 … 5 专家 表示。",
        "Skill level = Σ(weight × level) / Σweight; weight = the judge's weight (school 0.5, enterprise 0.5, practice 0.3, credential 0.2; the program may change them) × recency (halves every 730 days); confidence = 1 − e^(−Σweight): high from 0.67, medium from 0.34, low below. Levels are shown rounded, 1 Awareness … 5 Expert.",
    ),
    ("profile.evidence", "能力证据", "Evidence"),
    ("profile.date", "日期", "Date"),
    ("profile.kind", "类型", "Kind"),
    ("profile.source", "来源", "Source"),
    ("profile.detail", "内容", "Detail"),
    (
        "profile.shows",
        "体现的技能与等级",
        "Skills and levels it shows",
    ),
    ("status.ready", "就绪", "Ready"),
    ("status.near_ready", "接近就绪", "Near-ready"),
    ("status.not_ready", "未就绪", "Not ready"),
    ("evidence.course_grade", "课程成绩", "Course grade"),
    (
        "evidence.enterprise_evaluation",
        "企业评价",
        "Enterprise evaluation",
    ),
    ("evidence.competition", "竞赛", "Competition"),
    ("evidence.certificate", "证书", "Certificate"),
    ("evidence.award", "获奖", "Award"),
    ("heatmap.title", "能力热力图", "Heat map"),
    ("heatmap.columns", "列", "Columns"),
    (
        "heatmap.most_common",
        "本班最常见的技能",
        "The cohort's most common skills",
    ),
    ("heatmap.show", "显示", "Show"),
    (
        "heatmap.rule_common",
        "列为本班有证据人数最多的 30 项技能；单元格为技能等级（1–5），空白表示暂无证据。",
        "Columns are the 30 skills most of the cohort has evidence of; cells are skill levels (1–5), blank where there is no evidence.",
    ),
    (
        "heatmap.rule_role",
        "列为该岗位的核心技能：",
        "Columns are the core skills of",
    ),
    (
        "heatmap.mean",
        "平均（有证据者）",
        "Mean (of those with evidence)",
    ),
    ("heatmap.legend", "等级：", "Level:"),
    ("heatmap.none", "无证据", "no evidence"),
    (
        "search.placeholder",
        "搜索岗位、技能、证书、NICE 条目（中英文、别名均可）",
        "Search roles, skills, certifications, NICE statements (any alias, zh or en)",
    ),
    ("search.title", "搜索", "Search"),
    ("search.results_for", "搜索结果：", "Results for "),
    (
        "search.none",
        "没有找到匹配项。试试别名、英文名或 NICE 编号。",
        "Nothing matched. Try an alias, the other language, or a NICE ID.",
    ),
    ("search.matched", "匹配", "matched"),
    ("kind.platform_role", "平台岗位", "Platform role"),
    ("kind.skill", "技能", "Skill"),
    ("kind.certification", "证书", "Certification"),
    ("kind.work_role", "NICE 工作角色", "NICE work role"),
    ("kind.category", "NICE 类别", "NICE category"),
    (
        "kind.competency_area",
        "NICE 能力领域",
        "NICE competency area",
    ),
    (
        "kind.external_role",
        "外部框架角色",
        "External framework role",
    ),
    ("kind.statement", "NICE 条目", "NICE statement"),
    ("fw.title", "能力框架浏览", "Competency framework"),
    (
        "fw.intro",
        "平台把岗位、学生、课程与实训统一映射到 NICE 框架 v2.1.0 与 GB/T 42446-2023。NICE 条目为 NIST 英文原文。",
        "Postings, people, courses and challenges are all mapped onto NICE Framework v2.1.0 and GB/T 42446-2023. NICE statements are NIST's English text.",
    ),
    ("fw.counts", "规模", "Size"),
    (
        "fw.nice_categories",
        "NICE 类别与工作角色",
        "NICE categories and work roles",
    ),
    (
        "fw.gbt",
        "GB/T 42446 工作类别",
        "GB/T 42446 work categories",
    ),
    (
        "fw.gbt_note",
        "GB/T 42446 与 NICE 无官方对照；以下对照为本平台提议（proposed），可被官方对照替换。",
        "No official GB/T 42446 ↔ NICE crosswalk exists; the links below are this platform's proposal and can be replaced by an official one.",
    ),
    ("fw.platform_roles", "平台岗位目录", "Platform role catalog"),
    ("fw.domains", "技能领域", "Skill domains"),
    ("fw.levels", "熟练度等级", "Proficiency levels"),
    ("fw.external", "外部框架", "External frameworks"),
    (
        "fw.external_none",
        "尚未导入外部框架。运营人员可用 `cyberbridge framework import dcwf|ecsf 文件` 导入。",
        "No external framework imported yet. An operator imports one with `cyberbridge framework import dcwf|ecsf FILE`.",
    ),
    ("count.work_roles", "工作角色", "work roles"),
    (
        "count.statements",
        "任务/知识/技能条目",
        "task/knowledge/skill statements",
    ),
    ("count.areas", "能力领域", "competency areas"),
    ("count.platform_roles", "平台岗位", "platform roles"),
    ("count.skills", "技能", "skills"),
    ("count.aliases", "别名", "aliases"),
    ("count.certifications", "证书", "certifications"),
    ("wr.tasks", "任务", "Tasks"),
    ("wr.knowledge", "知识", "Knowledge"),
    ("wr.skills", "技能", "Skills"),
    ("wr.category", "类别", "Category"),
    ("wr.gbt", "GB/T 42446 类别", "GB/T 42446 category"),
    ("wr.platform_roles", "对应的平台岗位", "Platform roles"),
    (
        "wr.external",
        "外部框架中的对应角色",
        "Roles in external frameworks",
    ),
    (
        "wr.lexicon",
        "词库中证明这些知识技能的技能",
        "Lexicon skills evidencing these statements",
    ),
    ("wr.opm", "OPM 代码", "OPM code"),
    ("role.variants", "常见岗位名称", "Title variants"),
    ("role.nice", "NICE 工作角色", "NICE work roles"),
    ("role.core", "核心技能", "Core skills"),
    ("role.related", "相关技能", "Related skills"),
    ("role.certs", "相关证书", "Certifications"),
    ("skill.aliases", "别名", "Aliases"),
    ("skill.kind", "类型", "Kind"),
    ("skill.domain", "领域", "Domain"),
    (
        "skill.nice",
        "对应 NICE 条目 / 能力领域",
        "NICE statements and competency areas",
    ),
    ("skill.roles", "需要该技能的岗位", "Roles that need it"),
    ("skill.source", "来源", "Source"),
    ("skill.all", "全部", "All"),
    ("skill.filter", "筛选", "Filter"),
    ("skill.count", "项", "skills"),
    ("cert.issuer", "颁发机构", "Issuer"),
    ("cert.level", "等级", "Level"),
    ("cert.roles", "对应岗位", "Roles"),
    ("ext.roles", "角色", "Roles"),
    ("ext.maps_to", "映射到 NICE", "Maps to NICE"),
    ("ext.licence", "许可", "Licence"),
    ("status.proposed", "提议", "proposed"),
    ("status.official", "官方", "official"),
    ("rel.core", "核心", "core"),
    ("rel.related", "相关", "related"),
    ("src.curated", "人工标注", "curated"),
    ("src.domain", "领域默认", "domain default"),
    (
        "src.phrase-match",
        "短语匹配（已审）",
        "phrase match (reviewed)",
    ),
    ("lang.switch", "English", "中文"),
    ("error.not_found", "页面或条目不存在", "Not found"),
    (
        "error.forbidden",
        "无权查看此页面",
        "You may not see this page",
    ),
    ("error.bad_request", "请求有误", "Bad request"),
    (
        "error.busy",
        "服务器繁忙，请稍后再试",
        "The server is busy; please try again shortly",
    ),
    ("error.back", "返回能力框架", "Back to the framework"),
    (
        "error.server",
        "服务器出错，请稍后再试",
        "Something went wrong on the server; please try again",
    ),
    (
        "footer.data",
        "数据：NIST NICE Framework（公有领域）、DoD DCWF（公有领域）、ENISA ECSF（CC BY 4.0）。",
        "Data: NIST NICE Framework (public domain), DoD DCWF (public domain), ENISA ECSF (CC BY 4.0).",
    ),
];

/// Audit actions (`profile.read`) as people read them.
const AUDIT_ACTIONS: &[(&str, &str, &str)] = &[
    ("signin", "登录", "Signed in"),
    ("signin.failed", "登录失败", "Failed sign-in"),
    ("signin.refused", "登录被拒绝", "Sign-in refused"),
    (
        "signout.everywhere",
        "在所有设备上退出",
        "Signed out everywhere",
    ),
    ("password.change", "修改密码", "Changed the password"),
    (
        "password.change_failed",
        "修改密码失败",
        "Password change failed",
    ),
    (
        "password.change_refused",
        "修改密码被拒绝",
        "Password change refused",
    ),
    ("password.reset", "重置密码", "Reset a password"),
    ("token.create", "创建 API 令牌", "Created an API token"),
    ("token.revoke", "吊销 API 令牌", "Revoked an API token"),
    ("user.create", "创建账号", "Created an account"),
    ("user.disable", "停用账号", "Disabled an account"),
    ("user.enable", "启用账号", "Enabled an account"),
    ("org.create", "创建机构", "Created an organisation"),
    (
        "teacher.cohorts",
        "分配教师的班级",
        "Assigned a teacher's cohorts",
    ),
    ("profile.read", "查看能力画像", "Read a competency profile"),
    ("cohort.read", "查看班级热力图", "Read a cohort heat map"),
    (
        "candidates.read",
        "查看岗位候选人",
        "Read a posting's candidates",
    ),
    (
        "profile.correct",
        "更正本人信息",
        "Corrected their own record",
    ),
    ("consent.change", "修改授权", "Changed consents"),
    (
        "correction.request",
        "申请更正证据",
        "Asked for a correction",
    ),
    ("correction.accepted", "接受更正", "Accepted a correction"),
    ("correction.dismissed", "驳回更正", "Dismissed a correction"),
    (
        "evaluation.replace",
        "替换先前评分",
        "Replaced earlier ratings",
    ),
    ("interest.add", "表达求职意向", "Expressed interest"),
    ("interest.withdraw", "撤回求职意向", "Withdrew interest"),
    ("job.create", "起草岗位", "Drafted a posting"),
    ("job.edit", "修改岗位", "Edited a posting"),
    (
        "job.submit",
        "提交岗位审核",
        "Submitted a posting for review",
    ),
    ("job.reject", "退回岗位修改", "Sent a posting back"),
    ("job.close", "关闭岗位", "Closed a posting"),
    ("talent.write", "写入人才数据", "Wrote talent data"),
    ("postings.import", "导入岗位数据", "Imported postings"),
    (
        "postings.reclassify",
        "重新分类岗位",
        "Re-classified postings",
    ),
    (
        "competency_model.replace",
        "更新能力模型",
        "Replaced the competency model",
    ),
    (
        "external_framework.replace",
        "更新外部框架",
        "Replaced an external framework",
    ),
    ("export", "导出数据", "Exported data"),
];

/// An audit action in the page's language (the code itself only for an
/// action this list does not know yet).
pub fn audit_action(lang: Lang, action: &str) -> String {
    AUDIT_ACTIONS
        .iter()
        .find(|(k, ..)| *k == action)
        .map_or(action, |(_, zh, en)| lang.pick(zh, en))
        .to_string()
}

/// Audit details as the store writes them (`person 48: candidate for posting
/// 2`), per action (or action prefix, ending in `.`), and how each language
/// says them. A hole's name says what it holds: `ref…` a reference
/// (`person 48`) said by name, `n…` a count, `b…` yes/no, `text…` words kept
/// as written, and `scope`, `role`, `orgkind`, `jobstatus`, `correction`,
/// `table`, `cohorts`, `query`, `file` their own kinds. The first shape that
/// fits is used; the last, for actions about one account, fits a bare
/// reference. The ` (id 5)` the store adds to what it creates is left out.
const AUDIT_DETAILS: &[(&str, &str, &str, &str)] = &[
    (
        "profile.read",
        "{ref}: candidate for {ref2}",
        "{ref}，作为「{ref2}」的候选人",
        "{ref}, as a candidate for “{ref2}”",
    ),
    (
        "profile.read",
        "{ref}: in the heat map of {ref2}",
        "{ref}，在「{ref2}」的热力图中",
        "{ref}, in the heat map of {ref2}",
    ),
    (
        "candidates.read",
        "{ref}: {n} shown",
        "「{ref}」：显示 {n} 名候选人",
        "“{ref}”: {n} candidates shown",
    ),
    (
        "profile.correct",
        "{ref}: name/region",
        "{ref}：姓名或地区",
        "{ref}: name or region",
    ),
    (
        "consent.change",
        "{ref}: enterprise {b} → {b2}, analytics {b3} → {b4}",
        "{ref}：向企业展示 {b} → {b2}，计入统计 {b3} → {b4}",
        "{ref}: shown to enterprises {b} → {b2}, counted in statistics {b3} → {b4}",
    ),
    (
        "consent.change",
        "{ref}: demo student shares with enterprises",
        "{ref}：演示学生，同意向企业展示",
        "{ref}: a demo student who shares with enterprises",
    ),
    (
        "correction.request",
        "{ref}: the record",
        "{ref}：整体记录",
        "{ref}: the record as a whole",
    ),
    (
        "correction.request",
        "{ref}: evidence {n}",
        "{ref}：一条证据",
        "{ref}: one piece of evidence",
    ),
    (
        "correction.",
        "{ref}: correction {n} {correction}",
        "{ref}：{correction}",
        "{ref}: {correction}",
    ),
    (
        "evaluation.replace",
        "{ref}: {n} earlier ratings",
        "{ref}：替换同一评价人先前的评分 {n} 条",
        "{ref}: {n} earlier ratings by the same evaluator replaced",
    ),
    (
        "teacher.cohorts",
        "{ref}: cohorts {cohorts}",
        "{ref}：负责班级 {cohorts}",
        "{ref}: cohorts {cohorts}",
    ),
    (
        "token.create",
        "{ref}: {text} ({scope})",
        "{ref}：令牌「{text}」（{scope}）",
        "{ref}: token “{text}” ({scope})",
    ),
    (
        "token.revoke",
        "{ref}: token {n}",
        "{ref}：一个 API 令牌",
        "{ref}: an API token",
    ),
    (
        "user.create",
        "{text} ({role}) in {ref}",
        "{text}（{role}），{ref}",
        "{text} ({role}), {ref}",
    ),
    (
        "org.create",
        "{orgkind} {text}",
        "{orgkind}：{text}",
        "{orgkind}: {text}",
    ),
    (
        "job.create",
        "{ref}: {text}",
        "{ref}：「{text}」",
        "{ref}: “{text}”",
    ),
    (
        "job.",
        "{ref}: {jobstatus}",
        "「{ref}」：{jobstatus}",
        "“{ref}”: {jobstatus}",
    ),
    (
        "interest.",
        "{ref}, {ref2}",
        "{ref2}，「{ref}」",
        "{ref2}, “{ref}”",
    ),
    (
        "postings.import",
        "{file}: {n} rows, {n2} new postings, {n3} duplicates, {n4} rejected",
        "{file}：{n} 行，新增岗位 {n2} 个，重复 {n3} 个，拒收 {n4} 行",
        "{file}: {n} rows, {n2} new postings, {n3} duplicates, {n4} rejected",
    ),
    (
        "competency_model.replace",
        "NICE {text}: {n} work roles, {n2} statements, {n3} platform roles, {n4} skills, {n5} certifications",
        "NICE {text}：工作角色 {n} 个，条目 {n2} 条，平台岗位 {n3} 个，技能 {n4} 项，证书 {n5} 种",
        "NICE {text}: {n} work roles, {n2} statements, {n3} platform roles, {n4} skills, {n5} certifications",
    ),
    (
        "external_framework.replace",
        "{text} {text2}: {n} roles, {n2} elements",
        "{text} {text2}：角色 {n} 个，要素 {n2} 条",
        "{text} {text2}: {n} roles, {n2} elements",
    ),
    (
        "talent.write",
        "{n} schools, {n2} programs, {n3} people, {n4} courses, {n5} evidence",
        "学校 {n} 所，专业 {n2} 个，人员 {n3} 名，课程 {n4} 门，证据 {n5} 条",
        "{n} schools, {n2} programs, {n3} people, {n4} courses, {n5} pieces of evidence",
    ),
    (
        "postings.reclassify",
        "classifier {text}",
        "分类器版本 {text}",
        "classifier version {text}",
    ),
    (
        "signin.refused",
        "{text}, {text2}: too many failures",
        "{text}，{text2}：失败次数过多",
        "{text}, {text2}: too many failures",
    ),
    (
        "signin.failed",
        "{text}, {text2}",
        "{text}，{text2}",
        "{text}, {text2}",
    ),
    (
        "password.change_refused",
        "too many failures",
        "失败次数过多",
        "too many failures",
    ),
    (
        "export",
        "{table} {query}",
        "{table}（{query}）",
        "{table} ({query})",
    ),
    ("", "{ref}", "{ref}", "{ref}"),
];

/// Names for exported tables (the `table=` of an export).
const EXPORT_TABLES: &[(&str, &str, &str)] = &[
    ("postings", "岗位明细", "Postings"),
    ("skills", "技能需求", "Skills in demand"),
    ("certifications", "证书需求", "Certifications in demand"),
    ("titles", "岗位名称", "Titles"),
    ("roles", "岗位需求", "Roles in demand"),
    ("provinces", "地区分布", "Regions"),
    ("months", "月度趋势", "Months"),
    ("ratios", "供需比", "Supply/demand ratios"),
    ("gaps", "技能缺口", "Skill gaps"),
    ("emerging", "新兴技能", "Emerging skills"),
    ("fading", "减少的技能", "Fading skills"),
    ("quotients", "区位商", "Location quotients"),
];

/// The holes of `shape` as they appear in `text`, or `None` when it does
/// not fit. A hole takes the shortest text up to the literal that follows.
fn fit<'a>(shape: &'a str, text: &'a str) -> Option<Vec<(&'a str, &'a str)>> {
    let mut holes = Vec::new();
    let mut rest = text;
    let mut shape = shape;
    let mut open: Option<&str> = None;
    loop {
        let (literal, after) = match shape.find('{') {
            Some(i) => (&shape[..i], Some(&shape[i..])),
            None => (shape, None),
        };
        match open.take() {
            None => rest = rest.strip_prefix(literal)?,
            Some(name) => {
                let at = if after.is_none() {
                    // the last literal ends the text
                    rest.len()
                        .checked_sub(literal.len())
                        .filter(|&i| rest[i..] == *literal && rest.is_char_boundary(i))?
                } else if literal.is_empty() {
                    return None;
                } else {
                    rest.find(literal)?
                };
                if at == 0 {
                    return None;
                }
                holes.push((name, &rest[..at]));
                rest = &rest[at + literal.len()..];
            }
        }
        let Some(after) = after else {
            return rest.is_empty().then_some(holes);
        };
        let close = after.find('}')?;
        open = Some(&after[1..close]);
        shape = &after[close + 1..];
    }
}

/// An audit entry's detail in the page's language, with references by name
/// (`names`: `person 48` → 王伟, from the service). A detail of no known
/// shape is shown as written.
pub fn audit_detail(
    lang: Lang,
    action: &str,
    detail: &str,
    names: &std::collections::HashMap<String, String>,
) -> String {
    if detail.is_empty() {
        return String::new();
    }
    let detail = match detail.rsplit_once(" (id ") {
        Some((before, id))
            if id
                .strip_suffix(')')
                .is_some_and(|n| n.parse::<i64>().is_ok()) =>
        {
            before
        }
        _ => detail,
    };
    let reference = |r: &str| -> String {
        if let Some(n) = names.get(r) {
            return n.clone();
        }
        let kind = r.split(' ').next().unwrap_or_default();
        match kind {
            "person" => lang.pick("某位人员", "a person"),
            "user" => lang.pick("某个账号", "an account"),
            "job" | "posting" => lang.pick("某个岗位", "a posting"),
            "org" => lang.pick("某个机构", "an organisation"),
            "cohort" => lang.pick("某个班级", "a cohort"),
            _ => r,
        }
        .to_string()
    };
    let say = |hole: &str, v: &str| -> String {
        let kind = hole.trim_end_matches(|c: char| c.is_ascii_digit());
        match kind {
            "ref" => reference(v),
            "b" => match v {
                "true" => lang.pick("是", "yes").to_string(),
                "false" => lang.pick("否", "no").to_string(),
                other => other.to_string(),
            },
            "scope" => match v {
                "read" => lang.pick("只读", "read only").to_string(),
                "write" => lang.pick("可写", "read and write").to_string(),
                other => other.to_string(),
            },
            "role" => cb_core::UserRole::parse(v).map_or(v.to_string(), |r| r.name(lang).into()),
            "orgkind" => cb_core::OrgKind::parse(v).map_or(v.to_string(), |k| k.name(lang).into()),
            "jobstatus" => cb_postings::publish::JobStatus::parse(v)
                .map_or(v.to_string(), |s| s.name(lang == Lang::Zh).into()),
            "correction" => correction_status(lang, v),
            // a published posting's import is named after it
            "file" => match v.strip_prefix("published ").filter(|r| is_reference(r)) {
                Some(r) => match lang {
                    Lang::Zh => format!("发布岗位「{}」", reference(r)),
                    Lang::En => format!("published posting “{}”", reference(r)),
                },
                None => v.to_string(),
            },
            "table" => EXPORT_TABLES
                .iter()
                .find(|(k, ..)| *k == v)
                .map_or(v, |(_, zh, en)| lang.pick(zh, en))
                .to_string(),
            "cohorts" => {
                let list: Vec<String> = v
                    .trim_matches(|c| c == '[' || c == ']')
                    .split(',')
                    .filter_map(|id| id.trim().parse::<i64>().ok())
                    .map(|id| reference(&format!("cohort {id}")))
                    .collect();
                if list.is_empty() {
                    lang.pick("无", "none").to_string()
                } else {
                    list.join(lang.pick("、", ", "))
                }
            }
            "query" => serde_urlencoded::from_str::<Vec<(String, String)>>(v)
                .map(|pairs| {
                    pairs
                        .iter()
                        .map(|(k, v)| format!("{k}={v}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                })
                .unwrap_or_else(|_| v.to_string()),
            _ => v.to_string(),
        }
    };
    for (act, shape, zh, en) in AUDIT_DETAILS {
        let applies =
            act.is_empty() || *act == action || (act.ends_with('.') && action.starts_with(act));
        if !applies {
            continue;
        }
        let Some(holes) = fit(shape, detail) else {
            continue;
        };
        // the bare-reference shape fits only a reference
        if act.is_empty() && !holes.iter().all(|(_, v)| is_reference(v)) {
            continue;
        }
        // one pass over the wording, so that text put in is never read as a hole
        let mut out = String::with_capacity(detail.len() + 16);
        let mut wording = lang.pick(zh, en);
        while let Some(i) = wording.find('{') {
            out.push_str(&wording[..i]);
            let close = wording[i..].find('}').map_or(wording.len(), |c| i + c);
            let hole = &wording[i + 1..close];
            if let Some((_, v)) = holes.iter().find(|(h, _)| *h == hole) {
                out.push_str(&say(hole, v));
            }
            wording = wording.get(close + 1..).unwrap_or_default();
        }
        out.push_str(wording);
        return out;
    }
    detail.to_string()
}

/// `person 48`, `user 3`: a kind and a number.
fn is_reference(v: &str) -> bool {
    v.split_once(' ').is_some_and(|(k, n)| {
        ["person", "user", "job", "posting", "org", "cohort"].contains(&k)
            && n.parse::<i64>().is_ok()
    })
}

/// A correction's status in words (`open` → 待处理 / Open).
pub fn correction_status(lang: Lang, status: &str) -> String {
    match status {
        "open" => lang.pick("待处理", "Open"),
        "accepted" => lang.pick("已接受，证据已移除", "Accepted: the evidence is removed"),
        "dismissed" => lang.pick("已驳回", "Dismissed"),
        other => other,
    }
    .to_string()
}

/// Export column headers (CSV and Excel) in each language.
const COLUMNS: &[(&str, &str, &str)] = &[
    ("id", "编号", "ID"),
    ("name", "名称", "Name"),
    ("postings", "岗位数", "Postings"),
    ("share", "占比", "Share"),
    ("holders", "持证人数", "Holders"),
    ("month", "月份", "Month"),
    ("role", "岗位角色", "Role"),
    ("openings", "招聘人数", "Openings"),
    ("ready", "就绪人数", "Ready"),
    ("near_ready", "接近就绪人数", "Near ready"),
    ("ratio", "供需比", "Supply/demand ratio"),
    ("skill", "技能", "Skill"),
    ("demand_share", "需求占比", "Demand share"),
    ("supply_share", "供给占比", "Supply share"),
    ("gap", "缺口（比例差）", "Gap (share difference)"),
    ("region", "地区", "Region"),
    ("region_postings", "地区岗位数", "Region postings"),
    ("role_postings", "角色岗位数", "Role postings"),
    ("location_quotient", "区位商", "Location quotient"),
    ("change_pp", "变化（百分点）", "Change (pp)"),
    ("share_before", "上期占比", "Share before"),
    ("share_now", "本期占比", "Share now"),
    ("title", "岗位名称", "Title"),
    ("employer", "雇主", "Employer"),
    ("province", "省份/州", "Province/state"),
    ("city", "城市", "City"),
    ("posted_at", "发布日期", "Posted"),
    ("platform_role", "平台岗位", "Platform role"),
    ("monthly_min", "月薪下限", "Monthly salary from"),
    ("monthly_max", "月薪上限", "Monthly salary to"),
    ("currency", "币种", "Currency"),
    ("skills", "技能", "Skills"),
];

/// An export column's header in `lang` (the key itself for one not listed).
pub fn column(lang: Lang, key: &str) -> String {
    COLUMNS
        .iter()
        .find(|(k, ..)| *k == key)
        .map_or(key, |(_, zh, en)| lang.pick(zh, en))
        .to_string()
}

/// Confirmations shown after an action (`?done=key`); an unknown key shows
/// nothing, so a link cannot make a page say what did not happen.
const DONE: &[(&str, &str, &str)] = &[
    (
        "queued",
        "文件已上传并排队导入；本页会自动刷新，直到导入完成。",
        "The file is uploaded and queued for import; this page reloads itself until the import is finished.",
    ),
    ("saved", "已保存草稿。", "The draft is saved."),
    (
        "submit",
        "已提交审核，审核员会尽快处理。",
        "Submitted for review; a moderator will look at it.",
    ),
    (
        "approve",
        "已通过审核并发布，岗位已计入供需态势。",
        "Approved and published; the posting now counts on the dashboard.",
    ),
    (
        "reject",
        "已退回企业修改，并附上了您的说明。",
        "Sent back to the enterprise with your note.",
    ),
    ("close", "岗位已关闭。", "The posting is closed."),
    (
        "interest",
        "已表达意向：企业可在您授权时查看您的能力画像。",
        "Interest expressed: the enterprise can see your profile if you consented.",
    ),
    ("withdraw", "已撤回意向。", "Interest withdrawn."),
    (
        "evaluate",
        "评价已保存，已计入该学生的能力画像。",
        "The evaluation is saved in the student's profile.",
    ),
    ("token_revoked", "令牌已吊销。", "The token is revoked."),
    (
        "record",
        "已保存您的信息与授权。",
        "Your record and consents are saved.",
    ),
    (
        "disabled",
        "账号已停用，其会话与令牌均已失效。",
        "The account is disabled; its sessions and tokens no longer work.",
    ),
    ("enabled", "账号已启用。", "The account is enabled."),
    (
        "cohorts",
        "已保存该教师的班级。",
        "The teacher's cohorts are saved.",
    ),
    ("org", "已创建机构。", "The organisation is created."),
    (
        "correction",
        "更正申请已提交，学校管理员会处理。",
        "Your correction request is sent to your school's admin.",
    ),
    (
        "resolved",
        "已处理该更正申请。",
        "The correction is resolved.",
    ),
];

pub fn done(lang: Lang, key: &str) -> &'static str {
    DONE.iter()
        .find(|(k, ..)| *k == key)
        .map_or("", |(_, zh, en)| lang.pick(zh, en))
}

/// Every audit action: (code, name in `lang`), for the audit log's filter.
pub fn audit_actions(lang: Lang) -> Vec<(&'static str, String)> {
    AUDIT_ACTIONS
        .iter()
        .map(|(k, zh, en)| (*k, lang.pick(zh, en).to_string()))
        .collect()
}

/// A count with its thousands grouped: `27,156`.
pub fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A stored time (RFC 3339 text or Unix seconds) in the server's local zone,
/// to the minute.
pub fn local_minute(at: &str) -> String {
    let parsed = chrono::DateTime::parse_from_rfc3339(at)
        .ok()
        .map(|d| d.with_timezone(&chrono::Local))
        .or_else(|| {
            at.parse::<i64>()
                .ok()
                .and_then(|s| chrono::DateTime::from_timestamp(s, 0))
                .map(|d| d.with_timezone(&chrono::Local))
        });
    parsed.map_or_else(
        || at.to_string(),
        |d| d.format("%Y-%m-%d %H:%M").to_string(),
    )
}

pub fn t(lang: Lang, key: &str) -> &'static str {
    match STRINGS.iter().find(|(k, _, _)| *k == key) {
        Some((_, zh, en)) => match lang {
            Lang::Zh => zh,
            Lang::En => en,
        },
        None => "⟨missing text⟩",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_a_template_uses_exists_in_both_languages() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/templates");
        let mut used = Vec::new();
        for entry in std::fs::read_dir(dir).expect("templates dir").flatten() {
            let text = std::fs::read_to_string(entry.path()).expect("template");
            for part in text.split("page.t(\"").skip(1) {
                if let Some(end) = part.find('"') {
                    used.push(part[..end].to_string());
                }
            }
        }
        // keys built at run time from data
        for k in [
            "status.proposed",
            "status.official",
            "rel.core",
            "rel.related",
            "src.curated",
            "src.domain",
            "src.phrase-match",
        ] {
            used.push(k.to_string());
        }
        for k in cb_competency::SearchHitKind::ALL {
            used.push(format!("kind.{}", k.as_str()));
        }
        assert!(used.len() > 40);
        for key in used {
            assert!(
                STRINGS
                    .iter()
                    .any(|(k, zh, en)| *k == key && !zh.is_empty() && !en.is_empty()),
                "missing text `{key}`"
            );
        }
    }

    #[test]
    fn keys_are_unique() {
        let mut keys: Vec<&str> = STRINGS.iter().map(|(k, _, _)| *k).collect();
        keys.sort();
        let n = keys.len();
        keys.dedup();
        assert_eq!(n, keys.len());
        assert_eq!(t(Lang::En, "nav.search"), "Search");
        assert_eq!(t(Lang::Zh, "nav.search"), "搜索");
    }

    /// Every detail shape the store writes, as it writes it, reads in each
    /// language with names and without references, codes or English left in
    /// the Chinese.
    #[test]
    fn audit_details_read_in_words() {
        let names: std::collections::HashMap<String, String> = [
            ("person 48", "王伟"),
            ("posting 2", "渗透测试工程师"),
            ("job 2", "渗透测试工程师"),
            ("cohort 4", "示例大学 · 2023级1班"),
            ("user 3", "李老师 (teacher1)"),
            ("org 1", "示例安全科技"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let cases = [
            (
                "profile.read",
                "person 48: candidate for posting 2",
                "王伟，作为「渗透测试工程师」的候选人",
            ),
            (
                "profile.read",
                "person 48: in the heat map of cohort 4",
                "王伟，在「示例大学 · 2023级1班」的热力图中",
            ),
            ("profile.read", "person 48", "王伟"),
            (
                "candidates.read",
                "posting 2: 3 shown",
                "「渗透测试工程师」：显示 3 名候选人",
            ),
            ("cohort.read", "cohort 4", "示例大学 · 2023级1班"),
            (
                "profile.correct",
                "person 48: name/region",
                "王伟：姓名或地区",
            ),
            (
                "consent.change",
                "person 48: enterprise true → false, analytics true → true",
                "王伟：向企业展示 是 → 否，计入统计 是 → 是",
            ),
            (
                "correction.request",
                "person 48: the record",
                "王伟：整体记录",
            ),
            (
                "correction.request",
                "person 48: evidence 1915 (id 3)",
                "王伟：一条证据",
            ),
            (
                "correction.request",
                "person 48: the record (id 4)",
                "王伟：整体记录",
            ),
            (
                "consent.change",
                "person 48: demo student shares with enterprises",
                "王伟：演示学生，同意向企业展示",
            ),
            (
                "postings.import",
                "published job 2: 1 rows, 1 new postings, 0 duplicates, 0 rejected",
                "发布岗位「渗透测试工程师」：1 行，新增岗位 1 个，重复 0 个，拒收 0 行",
            ),
            (
                "correction.accepted",
                "person 48: correction 7 accepted",
                "王伟：已接受，证据已移除",
            ),
            (
                "teacher.cohorts",
                "user 3: cohorts [4, 9]",
                "李老师 (teacher1)：负责班级 示例大学 · 2023级1班、某个班级",
            ),
            (
                "token.create",
                "user 3: 统计脚本 (read)",
                "李老师 (teacher1)：令牌「统计脚本」（只读）",
            ),
            (
                "token.revoke",
                "user 3: token 12",
                "李老师 (teacher1)：一个 API 令牌",
            ),
            (
                "user.create",
                "teacher1 (teacher) in org 1 (id 3)",
                "teacher1（教师），示例安全科技",
            ),
            (
                "org.create",
                "enterprise 示例安全科技 (id 1)",
                "企业：示例安全科技",
            ),
            (
                "job.create",
                "org 1: 渗透测试工程师 (id 2)",
                "示例安全科技：「渗透测试工程师」",
            ),
            (
                "job.submit",
                "job 2: submitted",
                "「渗透测试工程师」：待审核",
            ),
            (
                "interest.add",
                "job 2, person 48",
                "王伟，「渗透测试工程师」",
            ),
            ("password.reset", "user 3", "李老师 (teacher1)"),
            ("user.disable", "user 77", "某个账号"),
            (
                "postings.import",
                "jobs.csv: 10 rows, 8 new postings, 1 duplicates, 1 rejected",
                "jobs.csv：10 行，新增岗位 8 个，重复 1 个，拒收 1 行",
            ),
            (
                "talent.write",
                "6 schools, 24 programs, 3000 people, 66 courses, 66000 evidence",
                "学校 6 所，专业 24 个，人员 3000 名，课程 66 门，证据 66000 条",
            ),
            ("postings.reclassify", "classifier 3f2a", "分类器版本 3f2a"),
            (
                "signin.refused",
                "127.0.0.1, operator: too many failures",
                "127.0.0.1，operator：失败次数过多",
            ),
            (
                "password.change_refused",
                "too many failures",
                "失败次数过多",
            ),
            (
                "export",
                "skills country=CN&period=2023-Q4",
                "技能需求（country=CN, period=2023-Q4）",
            ),
        ];
        for (action, stored, zh) in cases {
            let got = audit_detail(Lang::Zh, action, stored, &names);
            assert_eq!(got, zh, "{action}: {stored}");
            let en = audit_detail(Lang::En, action, stored, &names);
            for r in [
                "person 48",
                "posting 2",
                "job 2",
                "cohort 4",
                "user 3",
                "org 1",
                "(id ",
            ] {
                assert!(!en.contains(r), "{action}: {en}");
            }
        }
        assert_eq!(
            audit_detail(
                Lang::En,
                "profile.read",
                "person 48: candidate for posting 2",
                &names
            ),
            "王伟, as a candidate for “渗透测试工程师”"
        );
        // a detail of no known shape is kept as written
        assert_eq!(
            audit_detail(Lang::Zh, "signin", "10.0.0.1", &names),
            "10.0.0.1"
        );
        assert_eq!(
            audit_detail(Lang::Zh, "user.disable", "somebody", &names),
            "somebody"
        );
    }
}
