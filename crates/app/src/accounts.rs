//! Accounts: organisations and their users, passwords (argon2id, hashed off
//! the async threads), browser sessions kept in the store, API tokens (only
//! their SHA-256 is stored; scoped read or write; revocable), and who may
//! manage whom. Also [`Viewer`]: what a caller is allowed to reach, resolved
//! once per call for the other services' checks.

use crate::{App, AppError};
use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use cb_core::accounts::{ApiToken, Org, User};
use cb_core::{AccessError, Caller, OrgKind, UserRole};
use cb_store::StoreError;
use cb_store::accounts::{NewUser, SESSION_SECONDS};
use serde::Serialize;

pub const MIN_PASSWORD: usize = 10;
pub const MAX_PASSWORD: usize = 200;

pub(crate) fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

fn invalid(s: impl Into<String>) -> AppError {
    AppError::Invalid(s.into())
}

/// Checks a new password's length (in characters; the upper bound keeps
/// hashing cheap to refuse).
pub fn check_password(pw: &str) -> Result<(), AppError> {
    let n = pw.chars().count();
    if n < MIN_PASSWORD {
        return Err(invalid(format!(
            "password: has {n} characters; expected at least {MIN_PASSWORD} / 密码至少 {MIN_PASSWORD} 个字符"
        )));
    }
    if n > MAX_PASSWORD {
        return Err(invalid(format!(
            "password: has {n} characters; expected at most {MAX_PASSWORD} / 密码最多 {MAX_PASSWORD} 个字符"
        )));
    }
    Ok(())
}

/// An argon2id PHC string for `pw` (default parameters: 19 MiB, 2 passes).
pub async fn hash_password(pw: &str) -> Result<String, AppError> {
    let pw = pw.to_string();
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(pw.as_bytes())
            .map(|h| h.to_string())
    })
    .await
    .map_err(|e| invalid(format!("hashing stopped: {e}")))?
    .map_err(|e| invalid(format!("hashing failed: {e}")))
}

/// Whether `pw` matches `hash`. An unreadable hash matches nothing.
pub async fn verify_password(hash: &str, pw: &str) -> bool {
    let (hash, pw) = (hash.to_string(), pw.to_string());
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&hash)
            .is_ok_and(|h| Argon2::default().verify_password(pw.as_bytes(), &h).is_ok())
    })
    .await
    .unwrap_or(false)
}

/// A password for someone else to hand over (reset, new account): 16
/// characters from an alphabet without look-alikes.
pub fn temporary_password() -> Result<String, AppError> {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut b = [0u8; 16];
    getrandom::fill(&mut b).map_err(|e| invalid(format!("no randomness available: {e}")))?;
    Ok(b.iter()
        .map(|x| ALPHABET[*x as usize % ALPHABET.len()] as char)
        .collect())
}

/// What a caller may reach, resolved from their account.
#[derive(Debug, Clone)]
pub struct Viewer {
    pub caller: Caller,
    pub org: Option<Org>,
    /// A school user's school in the talent pool.
    pub school_id: Option<i64>,
    /// A student's own record.
    pub person_id: Option<i64>,
    /// The cohorts a teacher teaches.
    pub cohorts: Vec<i64>,
}

impl Viewer {
    pub fn role(&self) -> Option<UserRole> {
        self.caller.role()
    }
    pub fn is_operator(&self) -> bool {
        self.caller.is_operator()
    }
    /// The school whose records this caller administers or teaches in.
    pub fn school_staff_of(&self) -> Option<i64> {
        match self.role() {
            Some(UserRole::SchoolAdmin | UserRole::Teacher) => self.school_id,
            _ => None,
        }
    }
}

/// The signed-in user as they see themselves.
#[derive(Debug, Clone, Serialize)]
pub struct Me {
    pub user: User,
    pub org: Org,
    pub cohorts: Vec<i64>,
}

/// A new session: the cookie value, its CSRF token, and whether the user
/// must choose a new password first.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub token: String,
    pub csrf: String,
    pub must_change: bool,
}

/// A new account or a reset: the password to hand over, shown once.
#[derive(Debug, Clone, Serialize)]
pub struct Handover {
    pub user_id: i64,
    pub username: String,
    pub password: String,
}

/// An account to create.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct NewAccount {
    pub org_id: i64,
    pub role: UserRole,
    pub username: String,
    pub display_name: String,
    /// For a student: their record in the talent pool (of the same school)…
    #[serde(default)]
    pub person_id: Option<i64>,
    /// …or their student number (学号) in that school.
    #[serde(default)]
    pub student_number: Option<String>,
}

/// A new API token: its record and the secret, shown once.
#[derive(Debug, Clone, Serialize)]
pub struct NewToken {
    pub token: ApiToken,
    pub secret: String,
}

fn hex_hash(secret: &str) -> String {
    cb_tabular::sha256_bytes(secret.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Usernames: 2–40 of a–z, 0–9, `.`, `_`, `-`.
pub fn check_username(u: &str) -> Result<(), AppError> {
    let ok = (2..=40).contains(&u.len())
        && u.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(invalid(format!(
            "username: `{}` is not allowed; expected 2–40 of a–z, 0–9, `.`, `_`, `-` / 用户名须为 2–40 个小写字母、数字或 . _ -",
            u.chars().take(60).collect::<String>()
        )))
    }
}

fn check_text(field: &str, v: &str, max: usize) -> Result<(), AppError> {
    if v.trim().is_empty() || v.chars().count() > max || v.chars().any(char::is_control) {
        return Err(invalid(format!(
            "{field}: expected 1–{max} characters on one line / {field} 须为 1–{max} 个字符"
        )));
    }
    Ok(())
}

fn dup(e: StoreError, what: &str) -> AppError {
    match e {
        StoreError::Duplicate { .. } => invalid(format!("{what} already exists / {what} 已存在")),
        e => AppError::Store(e),
    }
}

/// The pages a caller may open. Navigation shows exactly these, so nobody is
/// offered a link that answers "forbidden"; each field mirrors the service
/// check named beside it, and `crates/web/tests/access.rs` opens every place
/// as every role to hold them together.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Places {
    /// Signed in: `/account`, sign-out.
    pub account: bool,
    /// `/talent`, cohorts and people (`TalentService::cohorts`): operators,
    /// school admins, teachers.
    pub talent: bool,
    /// `/jobs/new` (`JobService::create`): enterprise HR.
    pub new_posting: bool,
    /// `/admin/users` (`AccountService::users`): operators, school admins.
    pub users: bool,
    /// `/admin/corrections` (`TalentService::corrections` of a school):
    /// operators, school admins.
    pub corrections: bool,
    /// `/admin/audit` (`AccountService::audit_log`): operators.
    pub audit: bool,
    /// `/imports` (`TaskService::list`): operators, school admins.
    pub imports: bool,
    /// The organisations on the accounts page (every organisation, and
    /// creating one): operators.
    pub orgs: bool,
    /// Where `/talent` leads a caller its lists are not for: a student to
    /// their own record, an enterprise to its postings (`None`: the page).
    pub talent_instead: Option<&'static str>,
    /// Where `/admin/corrections` leads a student: their own requests.
    pub corrections_instead: Option<&'static str>,
}

impl App {
    /// What `caller` may open (see [`Places`]).
    pub fn places(&self, caller: &Caller) -> Places {
        let role = caller.role();
        let operator = caller.is_operator();
        let is = |r: UserRole| role == Some(r);
        let staff = operator || is(UserRole::SchoolAdmin);
        Places {
            account: role.is_some(),
            talent: staff || is(UserRole::Teacher),
            new_posting: is(UserRole::EnterpriseHr),
            users: staff,
            corrections: staff,
            audit: operator,
            imports: staff,
            orgs: operator,
            talent_instead: if is(UserRole::Student) {
                Some("/account")
            } else if is(UserRole::EnterpriseHr) || is(UserRole::EnterpriseMentor) {
                Some("/jobs")
            } else {
                None
            },
            corrections_instead: is(UserRole::Student).then_some("/account#corrections"),
        }
    }
}

impl App {
    /// Creates the operator organisation and its first operator, once: refused
    /// when any user exists.
    pub async fn init_operator(
        &self,
        username: &str,
        display_name: &str,
        password: &str,
    ) -> Result<i64, AppError> {
        check_username(username)?;
        check_password(password)?;
        let store = self.store();
        if store.user_count().await? > 0 {
            return Err(invalid(
                "users exist already; the first operator is created only once / 已有用户，首个运营账号只能创建一次",
            ));
        }
        let system = Caller::system("init");
        let org_id = match store
            .orgs()
            .await?
            .into_iter()
            .find(|o| o.kind == OrgKind::Operator)
        {
            Some(o) => o.id,
            None => {
                store
                    .org_create(
                        &system,
                        OrgKind::Operator,
                        "平台运营 Platform operator",
                        "",
                        None,
                    )
                    .await?
            }
        };
        let hash = hash_password(password).await?;
        let user = NewUser {
            org_id,
            role: UserRole::Operator,
            username: username.into(),
            display_name: display_name.into(),
            password_hash: hash,
            person_id: None,
            must_change: false,
        };
        Ok(store.user_create(&system, &user, now()).await?)
    }

    /// Signs a browser in with a username and password. `client` is where the
    /// attempt came from: failures are limited per client and per username,
    /// and every attempt is audited.
    pub async fn sign_in(
        &self,
        client: &str,
        username: &str,
        password: &str,
    ) -> Result<SignedIn, AppError> {
        let username = username.trim().to_lowercase();
        let keys = [
            format!("client {client}"),
            format!("user {}", username.chars().take(60).collect::<String>()),
        ];
        let at = now();
        if let crate::session::Verdict::Wait(retry_after_s) =
            self.attempt(Some(&keys[0]), &keys[1], at).await?
        {
            self.store()
                .audit(
                    &Caller::Anonymous,
                    "signin.refused",
                    &format!("{}, {}: too many failures", keys[0], keys[1]),
                )
                .await?;
            return Err(AppError::TooManyAttempts { retry_after_s });
        }
        let user = if check_username(&username).is_ok() && password.chars().count() <= MAX_PASSWORD
        {
            self.store().user_by_name(&username).await?
        } else {
            None
        };
        // an unknown name costs the same hashing as a wrong password
        let ok = match &user {
            Some(u) if !u.disabled => verify_password(&u.password_hash, password).await,
            _ => {
                let _ = verify_password(&self.dummy.dummy_hash().await, password).await;
                false
            }
        };
        let Some(user) = user.filter(|_| ok) else {
            self.failed(&[&keys[0], &keys[1]], at).await?;
            tracing::warn!(client, "sign-in failed");
            self.store()
                .audit(
                    &Caller::Anonymous,
                    "signin.failed",
                    &format!("{}, {}", keys[0], keys[1]),
                )
                .await?;
            return Err(invalid("wrong username or password / 用户名或密码不正确"));
        };
        let signed = SignedIn {
            token: crate::random_token()?,
            csrf: crate::random_token()?,
            must_change: user.must_change,
        };
        // the right password: the account's count starts again (the address's does not)
        self.store().throttle_clear(&keys[1]).await?;
        let caller = Caller::user(user.id, user.org_id, user.role);
        self.store()
            .session_create(
                &caller,
                &hex_hash(&signed.token),
                user.id,
                &signed.csrf,
                now() + SESSION_SECONDS,
                &keys[0],
            )
            .await?;
        Ok(signed)
    }

    /// The caller and CSRF token of a live browser session.
    pub async fn session(&self, token: &str) -> Result<Option<(Caller, String)>, AppError> {
        Ok(self
            .store()
            .session(&hex_hash(token), now())
            .await?
            .map(|(u, csrf)| {
                // a temporary password allows nothing but changing it
                let caller = if u.must_change {
                    Caller::Provisional { user_id: u.id }
                } else {
                    Caller::user(u.id, u.org_id, u.role)
                };
                (caller, csrf)
            }))
    }

    pub async fn sign_out(&self, caller: &Caller, token: &str) -> Result<(), AppError> {
        self.store()
            .session_delete(caller, &hex_hash(token))
            .await?;
        Ok(())
    }

    /// Who a bearer token speaks for: the configured operator token (the
    /// platform itself), an API token's user, or nobody.
    pub async fn caller_for_token(&self, token: &str) -> Result<Caller, AppError> {
        if let Some(expected) = &self.operator_token {
            let got = cb_tabular::sha256_bytes(token.as_bytes());
            if cb_core::same_secret(expected, &got) {
                return Ok(Caller::system("api-token"));
            }
        }
        if token.len() > 200 {
            return Ok(Caller::Anonymous);
        }
        Ok(
            match self.store().token_lookup(&hex_hash(token), now()).await? {
                // a temporary password stops the account's tokens too, until it is changed
                Some((_, u)) if u.must_change => Caller::Anonymous,
                Some((tok, u)) => Caller::User {
                    user_id: u.id,
                    org_id: u.org_id,
                    role: u.role,
                    read_only: tok.scope != "write",
                    by_token: true,
                },
                None => Caller::Anonymous,
            },
        )
    }

    /// What `caller` may reach. A user whose account is gone or disabled
    /// reaches nothing.
    pub async fn viewer(&self, caller: &Caller) -> Result<Viewer, AppError> {
        let mut v = Viewer {
            caller: caller.clone(),
            org: None,
            school_id: None,
            person_id: None,
            cohorts: Vec::new(),
        };
        let Caller::User { user_id, role, .. } = caller else {
            return Ok(v);
        };
        let store = self.store();
        let Some(user) = store.user(*user_id).await?.filter(|u| !u.disabled) else {
            v.caller = Caller::Anonymous;
            return Ok(v);
        };
        v.org = store.org(user.org_id).await?;
        v.school_id = v.org.as_ref().and_then(|o| o.school_id);
        v.person_id = user.person_id;
        if *role == UserRole::Teacher {
            v.cohorts = store.teacher_cohorts(user.id).await?;
        }
        Ok(v)
    }

    pub fn accounts(&self) -> AccountService<'_> {
        AccountService { app: self }
    }
}

pub struct AccountService<'a> {
    app: &'a App,
}

fn not_found(what: &'static str, what_zh: &'static str, id: i64) -> AppError {
    AppError::NotFound {
        what,
        what_zh,
        id: id.to_string(),
    }
}

/// API tokens one user may create per hour.
pub const TOKENS_PER_HOUR: i64 = 20;

impl AccountService<'_> {
    pub async fn me(&self, caller: &Caller) -> Result<Me, AppError> {
        let own = match caller {
            Caller::Provisional { user_id } => Some(*user_id),
            _ => caller.user_id(),
        };
        let Some(user_id) = own else {
            return Err(caller
                .refuse("see your account (the platform's own token has no account)")
                .into());
        };
        let store = self.app.store();
        let user = store
            .user(user_id)
            .await?
            .ok_or_else(|| not_found("user", "用户", user_id))?;
        let org = store
            .org(user.org_id)
            .await?
            .ok_or_else(|| not_found("organisation", "机构", user.org_id))?;
        let cohorts = store.teacher_cohorts(user_id).await?;
        Ok(Me { user, org, cohorts })
    }

    /// Operators see every organisation; anyone signed in sees their own.
    pub async fn orgs(&self, caller: &Caller) -> Result<Vec<Org>, AppError> {
        caller.require_signed_in("list organisations")?;
        let all = self.app.store().orgs().await?;
        Ok(if caller.is_operator() {
            all
        } else {
            all.into_iter()
                .filter(|o| Some(o.id) == caller.org_id())
                .collect()
        })
    }

    /// Operators only. A school organisation names its school in the talent pool.
    pub async fn create_org(
        &self,
        caller: &Caller,
        kind: OrgKind,
        name: &str,
        region: &str,
        school_id: Option<i64>,
    ) -> Result<i64, AppError> {
        caller.require_write("create an organisation")?;
        caller.require_operator("create an organisation")?;
        check_text("name", name, 100)?;
        if region.chars().count() > 50 || region.chars().any(char::is_control) {
            return Err(invalid(
                "region: expected at most 50 characters on one line / 地区最多 50 个字符",
            ));
        }
        match (kind, school_id) {
            (OrgKind::School, Some(s)) => {
                self.app
                    .store()
                    .talent_school(s)
                    .await?
                    .ok_or_else(|| not_found("school", "学校", s))?;
            }
            (OrgKind::School, None) => {
                return Err(invalid(
                    "school_id: a school organisation needs its school in the talent pool / 院校机构须关联人才库中的学校",
                ));
            }
            (_, Some(_)) => {
                return Err(invalid(
                    "school_id: only a school organisation has one / 只有院校机构关联学校",
                ));
            }
            _ => {}
        }
        self.app
            .store()
            .org_create(caller, kind, name.trim(), region.trim(), school_id)
            .await
            .map_err(|e| dup(e, "organisation"))
    }

    /// The users the caller manages: operators all, school admins their school's.
    pub async fn users(&self, caller: &Caller) -> Result<Vec<User>, AppError> {
        let store = self.app.store();
        if caller.is_operator() {
            return Ok(store.users(None).await?);
        }
        caller.require_signed_in("list users")?;
        match caller {
            Caller::User {
                role: UserRole::SchoolAdmin,
                org_id,
                ..
            } => Ok(store.users(Some(*org_id)).await?),
            _ => Err(AccessError::Forbidden {
                action: "list users",
            }
            .into()),
        }
    }

    /// The cohorts a teacher account teaches: for operators and the admin of
    /// the teacher's school.
    pub async fn teacher_cohorts(
        &self,
        caller: &Caller,
        user_id: i64,
    ) -> Result<Vec<i64>, AppError> {
        caller.require_signed_in("see a teacher's cohorts")?;
        let store = self.app.store();
        let Some(user) = store.user(user_id).await? else {
            return Err(AppError::NotFound {
                what: "user",
                what_zh: "用户",
                id: user_id.to_string(),
            });
        };
        let allowed = caller.is_operator()
            || matches!(caller, Caller::User { role: UserRole::SchoolAdmin, org_id, .. } if *org_id == user.org_id);
        if !allowed {
            return Err(AccessError::Forbidden {
                action: "see another school's teachers",
            }
            .into());
        }
        Ok(store.teacher_cohorts(user_id).await?)
    }

    /// The roles `caller` may give the accounts they create (the form offers
    /// exactly these): every role for operators, teachers and students for a
    /// school admin (in their own school), none for anyone else.
    pub fn assignable_roles(&self, caller: &Caller) -> Vec<UserRole> {
        if caller.is_operator() {
            UserRole::ALL.to_vec()
        } else if caller.role() == Some(UserRole::SchoolAdmin) {
            vec![UserRole::Teacher, UserRole::Student]
        } else {
            Vec::new()
        }
    }

    /// Whether `caller` manages `target` (an account of role `role` in `org`).
    async fn manages(&self, caller: &Caller, org: &Org, role: UserRole) -> Result<(), AppError> {
        if caller.is_operator() {
            return Ok(());
        }
        caller.require_signed_in("manage accounts")?;
        match caller {
            Caller::User {
                role: UserRole::SchoolAdmin,
                org_id,
                ..
            } if *org_id == org.id && matches!(role, UserRole::Teacher | UserRole::Student) => {
                Ok(())
            }
            _ => Err(AccessError::Forbidden {
                action: "manage this account",
            }
            .into()),
        }
    }

    /// Creates an account with a temporary password the person must change.
    pub async fn create_user(&self, caller: &Caller, a: NewAccount) -> Result<Handover, AppError> {
        caller.require_write("create an account")?;
        let store = self.app.store();
        let org = store
            .org(a.org_id)
            .await?
            .ok_or_else(|| not_found("organisation", "机构", a.org_id))?;
        self.manages(caller, &org, a.role).await?;
        let username = a.username.trim().to_lowercase();
        check_username(&username)?;
        check_text("display_name", &a.display_name, 60)?;
        if !a.role.fits(org.kind) {
            return Err(invalid(format!(
                "role: {} does not belong in a {} organisation / 该角色不属于此类机构",
                a.role.as_str(),
                org.kind.as_str()
            )));
        }
        let by_number = match (a.role, a.person_id, a.student_number.as_deref().map(str::trim).filter(|n| !n.is_empty()), org.school_id) {
            (UserRole::Student, None, Some(n), Some(school)) => {
                Some(store.talent_person_by_number(school, n).await?.ok_or_else(|| invalid(format!("student_number: `{}` is not in your school's roster / 学号不在本校名册中", n.chars().take(40).collect::<String>())))?.id)
            }
            _ => None,
        };
        let person_id = a.person_id.or(by_number);
        match (a.role, person_id) {
            (UserRole::Student, Some(pid)) => {
                let p = store
                    .talent_person(pid)
                    .await?
                    .ok_or_else(|| not_found("person", "人员", pid))?;
                if Some(p.school_id) != org.school_id {
                    return Err(AccessError::Forbidden {
                        action: "link an account to another school's student",
                    }
                    .into());
                }
                if store.user_of_person(pid).await?.is_some() {
                    return Err(invalid(format!(
                        "person_id: person {pid} has an account already / 该学生已有账号"
                    )));
                }
            }
            (UserRole::Student, None) => {
                return Err(invalid(
                    "student_number: a student account needs the student's number (or person_id) / 学生账号须填写学号",
                ));
            }
            (_, Some(_)) => {
                return Err(invalid(
                    "person_id: only a student account has one / 只有学生账号关联人才库记录",
                ));
            }
            _ => {}
        }
        let password = temporary_password()?;
        let hash = hash_password(&password).await?;
        let user = NewUser {
            org_id: org.id,
            role: a.role,
            username: username.clone(),
            display_name: a.display_name.trim().into(),
            password_hash: hash,
            person_id,
            must_change: true,
        };
        let user_id = store
            .user_create(caller, &user, now())
            .await
            .map_err(|e| dup(e, "username"))?;
        Ok(Handover {
            user_id,
            username,
            password,
        })
    }

    /// Gives a user a temporary password (they must change it) and ends their sessions.
    pub async fn reset_password(
        &self,
        caller: &Caller,
        user_id: i64,
    ) -> Result<Handover, AppError> {
        caller.require_write("reset a password")?;
        let store = self.app.store();
        let user = store
            .user(user_id)
            .await?
            .ok_or_else(|| not_found("user", "用户", user_id))?;
        let org = store
            .org(user.org_id)
            .await?
            .ok_or_else(|| not_found("organisation", "机构", user.org_id))?;
        self.manages(caller, &org, user.role).await?;
        let password = temporary_password()?;
        let hash = hash_password(&password).await?;
        store
            .user_set_password(caller, user_id, &hash, true, true, now(), "password.reset")
            .await?;
        Ok(Handover {
            user_id,
            username: user.username,
            password,
        })
    }

    pub async fn set_disabled(
        &self,
        caller: &Caller,
        user_id: i64,
        disabled: bool,
    ) -> Result<(), AppError> {
        caller.require_write("disable an account")?;
        let store = self.app.store();
        let user = store
            .user(user_id)
            .await?
            .ok_or_else(|| not_found("user", "用户", user_id))?;
        let org = store
            .org(user.org_id)
            .await?
            .ok_or_else(|| not_found("organisation", "机构", user.org_id))?;
        self.manages(caller, &org, user.role).await?;
        if caller.user_id() == Some(user_id) {
            return Err(invalid(
                "you cannot disable your own account / 不能停用自己的账号",
            ));
        }
        Ok(store
            .user_set_disabled(caller, user_id, disabled, now())
            .await?)
    }

    /// A user changes their own password, proving the current one.
    pub async fn change_password(
        &self,
        caller: &Caller,
        current: &str,
        new: &str,
    ) -> Result<(), AppError> {
        // the one thing a temporary password allows
        let user_id = match caller {
            Caller::Provisional { user_id } => *user_id,
            _ => {
                caller.require_write("change your password")?;
                caller.user_id().ok_or(AccessError::Forbidden {
                    action: "change a password without an account",
                })?
            }
        };
        check_password(new)?;
        let store = self.app.store();
        let user = store
            .user(user_id)
            .await?
            .ok_or_else(|| not_found("user", "用户", user_id))?;
        // a session is not a licence to guess: wrong current passwords are limited like sign-ins
        let key = format!("password change {user_id}");
        let at = now();
        if let crate::session::Verdict::Wait(retry_after_s) =
            self.app.attempt(None, &key, at).await?
        {
            store
                .audit(caller, "password.change_refused", "too many failures")
                .await?;
            return Err(AppError::TooManyAttempts { retry_after_s });
        }
        if !verify_password(&user.password_hash, current).await {
            self.app.failed(&[&key], at).await?;
            store.audit(caller, "password.change_failed", "").await?;
            return Err(invalid("current password: does not match / 当前密码不正确"));
        }
        if current == new {
            return Err(invalid(
                "new password: is the same as the current one / 新密码不能与当前密码相同",
            ));
        }
        let hash = hash_password(new).await?;
        Ok(store
            .user_set_password(
                caller,
                user_id,
                &hash,
                false,
                false,
                now(),
                "password.change",
            )
            .await?)
    }

    /// Which cohorts a teacher teaches: operators, or their school's admin;
    /// every cohort must be of that school.
    pub async fn set_teacher_cohorts(
        &self,
        caller: &Caller,
        user_id: i64,
        cohorts: &[i64],
    ) -> Result<(), AppError> {
        caller.require_write("assign cohorts")?;
        let store = self.app.store();
        let user = store
            .user(user_id)
            .await?
            .ok_or_else(|| not_found("user", "用户", user_id))?;
        let org = store
            .org(user.org_id)
            .await?
            .ok_or_else(|| not_found("organisation", "机构", user.org_id))?;
        self.manages(caller, &org, user.role).await?;
        if user.role != UserRole::Teacher {
            return Err(invalid(
                "user: cohorts are assigned to teachers / 只能为教师分配班级",
            ));
        }
        let all = store.talent_cohorts().await?;
        for c in cohorts {
            match all.iter().find(|x| x.cohort.id == *c) {
                Some(x) if Some(x.school_id) == org.school_id => {}
                Some(_) => {
                    return Err(AccessError::Forbidden {
                        action: "assign another school's cohort",
                    }
                    .into());
                }
                None => return Err(not_found("cohort", "班级", *c)),
            }
        }
        let mut cohorts = cohorts.to_vec();
        cohorts.sort_unstable();
        cohorts.dedup();
        Ok(store.set_teacher_cohorts(caller, user_id, &cohorts).await?)
    }

    /// The caller's live sessions (signed-in browsers).
    pub async fn session_count(&self, caller: &Caller) -> Result<i64, AppError> {
        let user_id = caller.user_id().ok_or(AccessError::Unauthenticated {
            action: "see your sessions",
        })?;
        Ok(self.app.store().sessions_of(user_id, now()).await?)
    }

    /// Ends every session of the caller, this one included.
    pub async fn sign_out_everywhere(&self, caller: &Caller) -> Result<u64, AppError> {
        caller.require_write("sign out everywhere")?;
        let user_id = caller.user_id().ok_or(AccessError::Unauthenticated {
            action: "sign out everywhere",
        })?;
        Ok(self
            .app
            .store()
            .sessions_end(caller, user_id, now())
            .await?)
    }

    pub async fn tokens(&self, caller: &Caller) -> Result<Vec<ApiToken>, AppError> {
        let user_id = caller.user_id().ok_or(AccessError::Unauthenticated {
            action: "list your API tokens",
        })?;
        Ok(self.app.store().tokens_of(user_id).await?)
    }

    /// A new token for the caller's own account, scoped `read` or `write`.
    pub async fn create_token(
        &self,
        caller: &Caller,
        name: &str,
        scope: &str,
    ) -> Result<NewToken, AppError> {
        caller.require_write("create an API token")?;
        let user_id = caller.user_id().ok_or(AccessError::Forbidden {
            action: "create an API token without an account",
        })?;
        // a token cannot mint tokens: a leaked one would outlive its revocation
        if matches!(caller, Caller::User { by_token: true, .. }) {
            return Err(AccessError::Forbidden {
                action: "create an API token with a token (sign in with a browser to create one)",
            }
            .into());
        }
        check_text("name", name, 60)?;
        if scope != "read" && scope != "write" {
            return Err(invalid(format!(
                "scope: `{}`; expected read or write / 权限范围须为 read 或 write",
                scope.chars().take(20).collect::<String>()
            )));
        }
        self.app
            .at_most(
                &format!("token {user_id}"),
                TOKENS_PER_HOUR,
                std::time::Duration::from_secs(3600),
                now(),
            )
            .await?;
        let store = self.app.store();
        if store
            .tokens_of(user_id)
            .await?
            .iter()
            .filter(|t| t.revoked_at.is_none())
            .count()
            >= 20
        {
            return Err(invalid(
                "tokens: 20 live tokens at most; revoke one first / 最多 20 个有效令牌",
            ));
        }
        let secret = format!("cbt_{}", crate::random_token()?);
        let id = store
            .token_create(
                caller,
                user_id,
                name.trim(),
                &hex_hash(&secret),
                scope,
                now(),
            )
            .await?;
        let token = store
            .tokens_of(user_id)
            .await?
            .into_iter()
            .find(|t| t.id == id)
            .ok_or_else(|| not_found("token", "令牌", id))?;
        Ok(NewToken { token, secret })
    }

    pub async fn revoke_token(&self, caller: &Caller, token_id: i64) -> Result<(), AppError> {
        caller.require_write("revoke an API token")?;
        let user_id = caller.user_id().ok_or(AccessError::Unauthenticated {
            action: "revoke an API token",
        })?;
        if self
            .app
            .store()
            .token_revoke(caller, user_id, token_id, now())
            .await?
        {
            Ok(())
        } else {
            Err(not_found("token", "令牌", token_id))
        }
    }

    /// What the audit entries' details refer to, by name: `person 48` → the
    /// person's name, `user 3` → the account's name and user name, `job 2`
    /// and `posting 2` (an enterprise's posting) → its title, `org 1` and
    /// `cohort 4` → their names. References to things since deleted are left
    /// out. Operators only, as the log itself.
    pub async fn audit_names(
        &self,
        caller: &Caller,
        entries: &[cb_store::AuditEntry],
    ) -> Result<std::collections::HashMap<String, String>, AppError> {
        caller.require_operator("read the audit log")?;
        let store = self.app.store();
        let mut refs: std::collections::BTreeSet<(&'static str, i64)> = Default::default();
        for e in entries {
            refs.extend(audit_refs(&e.detail));
        }
        let mut names = std::collections::HashMap::new();
        let (users, orgs) = if refs.is_empty() {
            (Vec::new(), Vec::new())
        } else {
            (store.users(None).await?, store.orgs().await?)
        };
        let cohorts = if refs.iter().any(|(k, _)| *k == "cohort") {
            store.talent_cohorts().await?
        } else {
            Vec::new()
        };
        for (kind, id) in refs {
            let name = match kind {
                "person" => store.talent_person(id).await?.map(|p| p.name),
                "user" => users
                    .iter()
                    .find(|u| u.id == id)
                    .map(|u| format!("{} ({})", u.display_name, u.username)),
                "org" => orgs.iter().find(|o| o.id == id).map(|o| o.name.clone()),
                "job" | "posting" => store.job(id).await?.map(|j| j.title),
                "cohort" => cohorts
                    .iter()
                    .find(|c| c.cohort.id == id)
                    .map(|c| format!("{} · {}", c.school, c.cohort.name)),
                _ => None,
            };
            if let Some(name) = name {
                names.insert(format!("{kind} {id}"), name);
            }
        }
        Ok(names)
    }

    /// The audit log, newest first, optionally narrowed to an action (or an
    /// action prefix such as `job.`) and an actor (`user:8`): operators only.
    pub async fn audit_log(
        &self,
        caller: &Caller,
        action: Option<&str>,
        actor: Option<&str>,
        limit: i64,
    ) -> Result<Vec<cb_store::AuditEntry>, AppError> {
        caller.require_operator("read the audit log")?;
        let clean = |v: Option<&str>| {
            v.map(str::trim)
                .filter(|v| !v.is_empty())
                .map(|v| v.chars().take(80).collect::<String>())
        };
        let (action, actor) = (clean(action), clean(actor));
        Ok(self
            .app
            .store()
            .audit_where(action.as_deref(), actor.as_deref(), limit.clamp(1, 1000))
            .await?)
    }
}

/// The references an audit detail makes (`person 48`, `user 3`, `cohorts [1, 2]`).
fn audit_refs(detail: &str) -> Vec<(&'static str, i64)> {
    const KINDS: [&str; 6] = ["person", "user", "job", "posting", "org", "cohort"];
    let mut out = Vec::new();
    let words: Vec<&str> = detail
        .split(|c: char| c.is_whitespace() || matches!(c, ':' | ',' | '[' | ']' | '(' | ')'))
        .filter(|w| !w.is_empty())
        .collect();
    let mut kind: Option<&'static str> = None;
    for w in words {
        match (kind, w.parse::<i64>()) {
            (Some(k), Ok(id)) => out.push((k, id)),
            _ => {
                kind = KINDS
                    .iter()
                    .find(|k| **k == w)
                    .copied()
                    .or((w == "cohorts").then_some("cohort"));
            }
        }
    }
    out
}
