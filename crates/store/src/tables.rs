//! The mapping between the competency model and its tables, written once for
//! both dialects: a model becomes typed rows, one struct per table, and rows
//! become a model again.
//!
//! Each row struct is declared once with [`ref_table!`]: its fields are the
//! table's columns, so a row is read by column name (`sqlx::FromRow`) into
//! its declared types — a value of another type is an error, never a
//! default — and written by binding those same fields in the same order.

use crate::StoreError;
use cb_competency::external::{ExternalElement, ExternalFramework, ExternalNiceLink, ExternalRole};
use cb_competency::*;
use sqlx::query_builder::Separated;
use sqlx::{Database, Encode, FromRow, Postgres, Sqlite, Type};
use std::collections::BTreeMap;

/// A reference table's row: its table, its columns (the struct's fields, in
/// order) and how it binds them.
pub trait RefRow:
    Sized
    + Send
    + Unpin
    + for<'r> FromRow<'r, sqlx::sqlite::SqliteRow>
    + for<'r> FromRow<'r, sqlx::postgres::PgRow>
    + BindRow<Sqlite>
    + BindRow<Postgres>
{
    const TABLE: &'static str;
    const COLUMNS: &'static [&'static str];
}

/// Binds a row's fields, in [`RefRow::COLUMNS`] order, as one tuple of a
/// multi-row `INSERT`.
pub trait BindRow<DB: Database> {
    fn push_binds(&self, b: &mut Separated<'_, DB, &'static str>);
}

/// Declares a reference table's row struct; its field names are the
/// table's column names.
macro_rules! ref_table {
    ($(#[$m:meta])* $row:ident in $name:literal { $($f:ident: $t:ty),* $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq, FromRow)]
        pub struct $row {
            $(pub $f: $t),*
        }
        impl RefRow for $row {
            const TABLE: &'static str = $name;
            const COLUMNS: &'static [&'static str] = &[$(stringify!($f)),*];
        }
        impl<DB: Database> BindRow<DB> for $row
        where
            String: for<'e> Encode<'e, DB> + Type<DB>,
            Option<String>: for<'e> Encode<'e, DB> + Type<DB>,
            i64: for<'e> Encode<'e, DB> + Type<DB>,
        {
            fn push_binds(&self, b: &mut Separated<'_, DB, &'static str>) {
                $(b.push_bind(self.$f.clone());)*
            }
        }
    };
}

/// Declares a set of tables written and read together: a struct with one
/// list of rows per table, the tables' names in insert order (parents
/// before children; delete in reverse), and how the set is read and written.
macro_rules! table_set {
    ($(#[$m:meta])* $set:ident, $names:ident { $($field:ident: $row:ty),* $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Default, PartialEq)]
        pub struct $set {
            $(pub $field: Vec<$row>),*
        }
        /// The set's tables, parents before children.
        pub const $names: &[&str] = &[$(<$row as RefRow>::TABLE),*];
        impl $set {
            /// Rows in all its tables.
            pub(crate) fn rows(&self) -> u64 {
                0 $(+ self.$field.len() as u64)*
            }
            /// Every row of every table of the set.
            pub(crate) async fn load(store: &crate::Store) -> Result<Self, StoreError> {
                Ok(Self { $($field: store.ref_rows::<$row>().await?),* })
            }
            /// Inserts every row on `conn`, table by table in insert order.
            pub(crate) async fn insert_in<C: sqlx::Connection>(
                &self,
                conn: &mut C,
                count: &mut crate::model::Counted<'_>,
            ) -> Result<(), sqlx::Error>
            where
                for<'c> &'c mut C: sqlx::Executor<'c, Database = C::Database>,
                <C::Database as Database>::Arguments: sqlx::IntoArguments<C::Database>,
                $($row: BindRow<C::Database>,)*
            {
                $(crate::model::insert_rows(conn, &self.$field, count).await?;)*
                Ok(())
            }
        }
    };
}

ref_table!(CategoryRow in "nice_categories" {
    id: String, title: String, description: String, sort: i64, title_zh: String,
});
ref_table!(WorkRoleRow in "nice_work_roles" {
    id: String, category_id: String, title: String, description: String,
    opm_code: Option<String>, sort: i64, title_zh: String,
});
ref_table!(AreaRow in "nice_competency_areas" {
    id: String, title: String, description: String, title_zh: String,
});
ref_table!(StatementRow in "nice_statements" { id: String, kind: String, text: String });
ref_table!(RoleStatementRow in "nice_role_statements" { role_id: String, statement_id: String });
ref_table!(AreaStatementRow in "nice_area_statements" { area_id: String, statement_id: String });
ref_table!(GbtRow in "gbt_categories" {
    id: String, name_zh: String, name_en: String, description_zh: String, description_en: String,
});
ref_table!(GbtNiceRow in "gbt_nice_crosswalk" {
    gbt_id: String, nice_role_id: String, status: String, source: String, note: String,
});
ref_table!(PlatformRoleRow in "platform_roles" {
    id: String, name_zh: String, name_en: String, gbt_id: String,
});
ref_table!(PlatformRoleNiceRow in "platform_role_nice" {
    role_id: String, nice_role_id: String, pos: i64,
});
ref_table!(PlatformRoleVariantRow in "platform_role_variants" { role_id: String, variant: String });
ref_table!(DomainRow in "skill_domains" { id: String, name_zh: String, name_en: String });
ref_table!(SkillRow in "skills" {
    id: String, name_en: String, name_zh: String, kind: String, domain_id: String,
});
ref_table!(SkillAliasRow in "skill_aliases" { skill_id: String, alias: String });
ref_table!(SkillNiceRow in "skill_nice_links" { skill_id: String, target_id: String, source: String });
ref_table!(SkillRoleRow in "skill_roles" { skill_id: String, role_id: String, relation: String });
ref_table!(CertRow in "certifications" {
    id: String, name_zh: String, name_en: String, issuer_zh: String, issuer_en: String, level: i64,
});
ref_table!(CertRoleRow in "certification_roles" { cert_id: String, role_id: String });
ref_table!(CertAliasRow in "certification_aliases" { cert_id: String, alias: String });
ref_table!(CertSkillRow in "certification_skills" { cert_id: String, skill_id: String });
ref_table!(LevelRow in "proficiency_levels" {
    level: i64, name_zh: String, name_en: String, description_zh: String,
    description_en: String, national_level_zh: String, national_level_en: String,
});

ref_table!(ExtRow in "external_frameworks" {
    id: String, name: String, version: String, licence: String,
});
ref_table!(ExtRoleRow in "external_roles" {
    framework_id: String, role_id: String, title: String, description: String, grp: String,
});
ref_table!(ExtTitleRow in "external_role_titles" {
    framework_id: String, role_id: String, title: String,
});
ref_table!(ExtNiceRow in "external_role_nice" {
    framework_id: String, role_id: String, nice_role_id: String, status: String, source: String,
});
ref_table!(ExtElementRow in "external_elements" {
    framework_id: String, element_id: String, kind: String, text: String,
});
ref_table!(ExtRoleElementRow in "external_role_elements" {
    framework_id: String, role_id: String, element_id: String,
});

table_set!(
    /// The competency model as rows.
    ModelRows, MODEL_TABLES {
        categories: CategoryRow,
        work_roles: WorkRoleRow,
        areas: AreaRow,
        statements: StatementRow,
        role_statements: RoleStatementRow,
        area_statements: AreaStatementRow,
        gbt: GbtRow,
        gbt_nice: GbtNiceRow,
        platform_roles: PlatformRoleRow,
        platform_role_nice: PlatformRoleNiceRow,
        platform_role_variants: PlatformRoleVariantRow,
        domains: DomainRow,
        skills: SkillRow,
        skill_aliases: SkillAliasRow,
        skill_nice: SkillNiceRow,
        skill_roles: SkillRoleRow,
        certs: CertRow,
        cert_roles: CertRoleRow,
        cert_aliases: CertAliasRow,
        cert_skills: CertSkillRow,
        levels: LevelRow,
    }
);

table_set!(
    /// External frameworks as rows; every table but the first names its
    /// framework in `framework_id`.
    ExternalRows, EXTERNAL_TABLES {
        frameworks: ExtRow,
        roles: ExtRoleRow,
        titles: ExtTitleRow,
        nice: ExtNiceRow,
        elements: ExtElementRow,
        role_elements: ExtRoleElementRow,
    }
);

pub const NICE_VERSION_KEY: &str = "nice_version";

/// A stored value that is not what its column means.
pub(crate) fn corrupt(table: &str, detail: String) -> StoreError {
    StoreError::Corrupt {
        table: table.to_string(),
        detail,
    }
}

fn s(v: &str) -> String {
    v.to_string()
}

fn link_rows<R>(links: &[Link], row: impl Fn(String, String) -> R) -> Vec<R> {
    links.iter().map(|l| row(s(&l.from), s(&l.to))).collect()
}

/// Children grouped under their parent's id, in row order.
fn group<R>(rows: Vec<R>, split: impl Fn(R) -> (String, String)) -> BTreeMap<String, Vec<String>> {
    let mut m: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for r in rows {
        let (parent, child) = split(r);
        m.entry(parent).or_default().push(child);
    }
    m
}

/// The model as rows, one list per table.
pub fn model_rows(m: &CompetencyModel) -> ModelRows {
    ModelRows {
        categories: m
            .categories
            .iter()
            .map(|c| CategoryRow {
                id: s(&c.id),
                title: s(&c.title),
                description: s(&c.description),
                sort: c.sort,
                title_zh: s(&c.title_zh),
            })
            .collect(),
        work_roles: m
            .work_roles
            .iter()
            .map(|r| WorkRoleRow {
                id: s(&r.id),
                category_id: s(&r.category_id),
                title: s(&r.title),
                description: s(&r.description),
                opm_code: r.opm_code.clone(),
                sort: r.sort,
                title_zh: s(&r.title_zh),
            })
            .collect(),
        areas: m
            .competency_areas
            .iter()
            .map(|a| AreaRow {
                id: s(&a.id),
                title: s(&a.title),
                description: s(&a.description),
                title_zh: s(&a.title_zh),
            })
            .collect(),
        statements: m
            .statements
            .iter()
            .map(|st| StatementRow {
                id: s(&st.id),
                kind: s(st.kind.as_str()),
                text: s(&st.text),
            })
            .collect(),
        role_statements: link_rows(&m.role_statements, |role_id, statement_id| {
            RoleStatementRow {
                role_id,
                statement_id,
            }
        }),
        area_statements: link_rows(&m.area_statements, |area_id, statement_id| {
            AreaStatementRow {
                area_id,
                statement_id,
            }
        }),
        gbt: m
            .gbt_categories
            .iter()
            .map(|g| GbtRow {
                id: s(&g.id),
                name_zh: s(&g.name_zh),
                name_en: s(&g.name_en),
                description_zh: s(&g.description_zh),
                description_en: s(&g.description_en),
            })
            .collect(),
        gbt_nice: m
            .gbt_crosswalk
            .iter()
            .map(|l| GbtNiceRow {
                gbt_id: s(&l.gbt_id),
                nice_role_id: s(&l.nice_role_id),
                status: s(&l.status),
                source: s(&l.source),
                note: s(&l.note),
            })
            .collect(),
        platform_roles: m
            .platform_roles
            .iter()
            .map(|r| PlatformRoleRow {
                id: s(&r.id),
                name_zh: s(&r.name_zh),
                name_en: s(&r.name_en),
                gbt_id: s(&r.gbt_id),
            })
            .collect(),
        platform_role_nice: m
            .platform_roles
            .iter()
            .flat_map(|r| {
                r.nice_role_ids
                    .iter()
                    .enumerate()
                    .map(|(pos, n)| PlatformRoleNiceRow {
                        role_id: s(&r.id),
                        nice_role_id: s(n),
                        pos: pos as i64,
                    })
            })
            .collect(),
        platform_role_variants: m
            .platform_roles
            .iter()
            .flat_map(|r| {
                r.variants.iter().map(|v| PlatformRoleVariantRow {
                    role_id: s(&r.id),
                    variant: s(v),
                })
            })
            .collect(),
        domains: m
            .skill_domains
            .iter()
            .map(|d| DomainRow {
                id: s(&d.id),
                name_zh: s(&d.name_zh),
                name_en: s(&d.name_en),
            })
            .collect(),
        skills: m
            .skills
            .iter()
            .map(|k| SkillRow {
                id: s(&k.id),
                name_en: s(&k.name_en),
                name_zh: s(&k.name_zh),
                kind: s(k.kind.as_str()),
                domain_id: s(&k.domain_id),
            })
            .collect(),
        skill_aliases: m
            .skills
            .iter()
            .flat_map(|k| {
                k.aliases.iter().map(|a| SkillAliasRow {
                    skill_id: s(&k.id),
                    alias: s(a),
                })
            })
            .collect(),
        skill_nice: m
            .skill_nice_links
            .iter()
            .map(|l| SkillNiceRow {
                skill_id: s(&l.skill_id),
                target_id: s(&l.target_id),
                source: s(l.source.as_str()),
            })
            .collect(),
        skill_roles: m
            .skill_roles
            .iter()
            .map(|l| SkillRoleRow {
                skill_id: s(&l.skill_id),
                role_id: s(&l.role_id),
                relation: s(l.relation.as_str()),
            })
            .collect(),
        certs: m
            .certifications
            .iter()
            .map(|c| CertRow {
                id: s(&c.id),
                name_zh: s(&c.name_zh),
                name_en: s(&c.name_en),
                issuer_zh: s(&c.issuer_zh),
                issuer_en: s(&c.issuer_en),
                level: c.level,
            })
            .collect(),
        cert_roles: m
            .certifications
            .iter()
            .flat_map(|c| {
                c.role_ids.iter().map(|r| CertRoleRow {
                    cert_id: s(&c.id),
                    role_id: s(r),
                })
            })
            .collect(),
        cert_aliases: m
            .certifications
            .iter()
            .flat_map(|c| {
                c.aliases.iter().map(|a| CertAliasRow {
                    cert_id: s(&c.id),
                    alias: s(a),
                })
            })
            .collect(),
        cert_skills: m
            .certifications
            .iter()
            .flat_map(|c| {
                c.skill_ids.iter().map(|k| CertSkillRow {
                    cert_id: s(&c.id),
                    skill_id: s(k),
                })
            })
            .collect(),
        levels: m
            .proficiency_levels
            .iter()
            .map(|l| LevelRow {
                level: l.level,
                name_zh: s(&l.name_zh),
                name_en: s(&l.name_en),
                description_zh: s(&l.description_zh),
                description_en: s(&l.description_en),
                national_level_zh: s(&l.national_level_zh),
                national_level_en: s(&l.national_level_en),
            })
            .collect(),
    }
}

/// Rebuilds the model from its rows, in canonical order. A kind, source or
/// relation the model does not know is [`StoreError::Corrupt`].
pub fn model_from_rows(
    nice_version: String,
    rows: ModelRows,
) -> Result<CompetencyModel, StoreError> {
    let ModelRows {
        categories,
        work_roles,
        areas,
        statements,
        role_statements,
        area_statements,
        gbt,
        gbt_nice,
        platform_roles,
        mut platform_role_nice,
        platform_role_variants,
        domains,
        skills,
        skill_aliases,
        skill_nice,
        skill_roles,
        certs,
        cert_roles,
        cert_aliases,
        cert_skills,
        levels,
    } = rows;
    let variants = group(platform_role_variants, |r| (r.role_id, r.variant));
    platform_role_nice.sort_by_key(|r| r.pos);
    let prole_nice = group(platform_role_nice, |r| (r.role_id, r.nice_role_id));
    let aliases = group(skill_aliases, |r| (r.skill_id, r.alias));
    let cert_roles = group(cert_roles, |r| (r.cert_id, r.role_id));
    let cert_aliases = group(cert_aliases, |r| (r.cert_id, r.alias));
    let cert_skills = group(cert_skills, |r| (r.cert_id, r.skill_id));
    let take = |m: &BTreeMap<String, Vec<String>>, id: &str| m.get(id).cloned().unwrap_or_default();
    let statements = statements
        .into_iter()
        .map(|r| {
            let kind = StatementKind::parse(&r.kind)
                .ok_or_else(|| corrupt(StatementRow::TABLE, format!("kind `{}`", r.kind)))?;
            Ok(Statement {
                id: r.id,
                kind,
                text: r.text,
            })
        })
        .collect::<Result<_, StoreError>>()?;
    let skills = skills
        .into_iter()
        .map(|r| {
            let kind = SkillKind::parse(&r.kind)
                .ok_or_else(|| corrupt(SkillRow::TABLE, format!("kind `{}`", r.kind)))?;
            Ok(Skill {
                aliases: take(&aliases, &r.id),
                id: r.id,
                name_en: r.name_en,
                name_zh: r.name_zh,
                kind,
                domain_id: r.domain_id,
            })
        })
        .collect::<Result<_, StoreError>>()?;
    let skill_nice_links = skill_nice
        .into_iter()
        .map(|r| {
            let source = LinkSource::parse(&r.source)
                .ok_or_else(|| corrupt(SkillNiceRow::TABLE, format!("source `{}`", r.source)))?;
            Ok(SkillNiceLink {
                skill_id: r.skill_id,
                target_id: r.target_id,
                source,
            })
        })
        .collect::<Result<_, StoreError>>()?;
    let skill_roles = skill_roles
        .into_iter()
        .map(|r| {
            let relation = RoleRelation::parse(&r.relation).ok_or_else(|| {
                corrupt(SkillRoleRow::TABLE, format!("relation `{}`", r.relation))
            })?;
            Ok(SkillRoleLink {
                skill_id: r.skill_id,
                role_id: r.role_id,
                relation,
            })
        })
        .collect::<Result<_, StoreError>>()?;
    let mut m = CompetencyModel {
        nice_version,
        categories: categories
            .into_iter()
            .map(|r| Category {
                id: r.id,
                title: r.title,
                description: r.description,
                sort: r.sort,
                title_zh: r.title_zh,
            })
            .collect(),
        work_roles: work_roles
            .into_iter()
            .map(|r| WorkRole {
                id: r.id,
                category_id: r.category_id,
                title: r.title,
                description: r.description,
                opm_code: r.opm_code,
                sort: r.sort,
                title_zh: r.title_zh,
            })
            .collect(),
        competency_areas: areas
            .into_iter()
            .map(|r| CompetencyArea {
                id: r.id,
                title: r.title,
                description: r.description,
                title_zh: r.title_zh,
            })
            .collect(),
        statements,
        role_statements: role_statements
            .into_iter()
            .map(|r| Link {
                from: r.role_id,
                to: r.statement_id,
            })
            .collect(),
        area_statements: area_statements
            .into_iter()
            .map(|r| Link {
                from: r.area_id,
                to: r.statement_id,
            })
            .collect(),
        gbt_categories: gbt
            .into_iter()
            .map(|r| GbtCategory {
                id: r.id,
                name_zh: r.name_zh,
                name_en: r.name_en,
                description_zh: r.description_zh,
                description_en: r.description_en,
            })
            .collect(),
        gbt_crosswalk: gbt_nice
            .into_iter()
            .map(|r| GbtNiceLink {
                gbt_id: r.gbt_id,
                nice_role_id: r.nice_role_id,
                status: r.status,
                source: r.source,
                note: r.note,
            })
            .collect(),
        platform_roles: platform_roles
            .into_iter()
            .map(|r| PlatformRole {
                nice_role_ids: take(&prole_nice, &r.id),
                variants: take(&variants, &r.id),
                id: r.id,
                name_zh: r.name_zh,
                name_en: r.name_en,
                gbt_id: r.gbt_id,
            })
            .collect(),
        skill_domains: domains
            .into_iter()
            .map(|r| SkillDomain {
                id: r.id,
                name_zh: r.name_zh,
                name_en: r.name_en,
            })
            .collect(),
        skills,
        skill_nice_links,
        skill_roles,
        certifications: certs
            .into_iter()
            .map(|r| Certification {
                role_ids: take(&cert_roles, &r.id),
                aliases: take(&cert_aliases, &r.id),
                skill_ids: take(&cert_skills, &r.id),
                id: r.id,
                name_zh: r.name_zh,
                name_en: r.name_en,
                issuer_zh: r.issuer_zh,
                issuer_en: r.issuer_en,
                level: r.level,
            })
            .collect(),
        proficiency_levels: levels
            .into_iter()
            .map(|r| ProficiencyLevel {
                level: r.level,
                name_zh: r.name_zh,
                name_en: r.name_en,
                description_zh: r.description_zh,
                description_en: r.description_en,
                national_level_zh: r.national_level_zh,
                national_level_en: r.national_level_en,
            })
            .collect(),
    };
    m.canonicalize();
    Ok(m)
}

/// One external framework as rows.
pub fn external_rows(fw: &ExternalFramework) -> ExternalRows {
    let f = || s(&fw.id);
    ExternalRows {
        frameworks: vec![ExtRow {
            id: f(),
            name: s(&fw.name),
            version: s(&fw.version),
            licence: s(&fw.licence),
        }],
        roles: fw
            .roles
            .iter()
            .map(|r| ExtRoleRow {
                framework_id: f(),
                role_id: s(&r.id),
                title: s(&r.title),
                description: s(&r.description),
                grp: s(&r.group),
            })
            .collect(),
        titles: fw
            .roles
            .iter()
            .flat_map(|r| {
                r.alternative_titles.iter().map(move |a| ExtTitleRow {
                    framework_id: f(),
                    role_id: s(&r.id),
                    title: s(a),
                })
            })
            .collect(),
        nice: fw
            .roles
            .iter()
            .flat_map(|r| {
                r.nice.iter().map(move |n| ExtNiceRow {
                    framework_id: f(),
                    role_id: s(&r.id),
                    nice_role_id: s(&n.nice_role_id),
                    status: s(&n.status),
                    source: s(&n.source),
                })
            })
            .collect(),
        elements: fw
            .elements
            .iter()
            .map(|e| ExtElementRow {
                framework_id: f(),
                element_id: s(&e.id),
                kind: s(&e.kind),
                text: s(&e.text),
            })
            .collect(),
        role_elements: fw
            .role_elements
            .iter()
            .map(|l| ExtRoleElementRow {
                framework_id: f(),
                role_id: s(&l.from),
                element_id: s(&l.to),
            })
            .collect(),
    }
}

/// Rebuilds every stored external framework from its rows. A row whose
/// framework is not stored is [`StoreError::Corrupt`].
pub fn externals_from_rows(rows: ExternalRows) -> Result<Vec<ExternalFramework>, StoreError> {
    let ExternalRows {
        frameworks,
        roles,
        titles,
        nice,
        elements,
        role_elements,
    } = rows;
    let mut fws: BTreeMap<String, ExternalFramework> = frameworks
        .into_iter()
        .map(|r| {
            let fw = ExternalFramework {
                id: r.id.clone(),
                name: r.name,
                version: r.version,
                licence: r.licence,
                roles: vec![],
                elements: vec![],
                role_elements: vec![],
            };
            (r.id, fw)
        })
        .collect();
    let mut alt: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for r in titles {
        alt.entry((r.framework_id, r.role_id))
            .or_default()
            .push(r.title);
    }
    let mut links: BTreeMap<(String, String), Vec<ExternalNiceLink>> = BTreeMap::new();
    for r in nice {
        links
            .entry((r.framework_id, r.role_id))
            .or_default()
            .push(ExternalNiceLink {
                nice_role_id: r.nice_role_id,
                status: r.status,
                source: r.source,
            });
    }
    fn framework<'a>(
        fws: &'a mut BTreeMap<String, ExternalFramework>,
        table: &str,
        id: &str,
    ) -> Result<&'a mut ExternalFramework, StoreError> {
        fws.get_mut(id)
            .ok_or_else(|| corrupt(table, format!("framework `{id}` is not stored")))
    }
    for r in roles {
        let key = (r.framework_id, r.role_id);
        framework(&mut fws, ExtRoleRow::TABLE, &key.0)?
            .roles
            .push(ExternalRole {
                title: r.title,
                description: r.description,
                group: r.grp,
                alternative_titles: alt.remove(&key).unwrap_or_default(),
                nice: links.remove(&key).unwrap_or_default(),
                id: key.1,
            });
    }
    for r in elements {
        framework(&mut fws, ExtElementRow::TABLE, &r.framework_id)?
            .elements
            .push(ExternalElement {
                id: r.element_id,
                kind: r.kind,
                text: r.text,
            });
    }
    for r in role_elements {
        framework(&mut fws, ExtRoleElementRow::TABLE, &r.framework_id)?
            .role_elements
            .push(Link {
                from: r.role_id,
                to: r.element_id,
            });
    }
    Ok(fws
        .into_values()
        .map(|mut fw| {
            fw.canonicalize();
            fw
        })
        .collect())
}
