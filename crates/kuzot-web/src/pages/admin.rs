//! Accounts: the admin's list of accounts (create, change role, disable), the audit log,
//! and each person's own account page (password, API tokens).
//!
//! Two rules keep the server administrable: an admin cannot demote or disable their own
//! account (so there is always an admin: the one acting), and account changes cannot be
//! made with an API token (a leaked read-only token must not mint more tokens or change a
//! password). Every change is written to the audit log, without secrets.

use askama::Template;
use axum::Form;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::header::SET_COOKIE;
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use crate::accounts::{AccountError, ApiToken, AuditEntry, Role, TokenScope, User};
use crate::auth::{Admin, Caller, SESSION_COOKIE, Viewer, set_cookie};
use crate::error::AppError;
use crate::i18n::Tr;
use crate::render::{Page, html};
use crate::state::AppState;
use kuzot_store::AuditChainStatus;

/// Audit entries shown.
const AUDIT_ENTRIES: u64 = 500;

/// Accounts, passwords and tokens are managed by a person at a browser: an API token
/// (a script) may read and label, but never mint tokens, change passwords or roles.
fn refuse_api_tokens(caller: &crate::auth::Caller, tr: &Tr) -> Result<(), AppError> {
    if caller.via_token {
        return Err(AppError::new(
            StatusCode::FORBIDDEN,
            tr.t("account-no-token"),
        ));
    }
    Ok(())
}

/// An account as listed.
pub struct UserRow {
    /// Row id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Role id.
    pub role: &'static str,
    /// Disabled?
    pub disabled: bool,
    /// Created, formatted.
    pub created: String,
    /// The admin's own account (its role cannot be changed here).
    pub is_self: bool,
}

#[derive(Template)]
#[template(path = "admin_users.html")]
struct UsersPage {
    page: Page,
    users: Vec<UserRow>,
    roles: Vec<(&'static str, String)>,
    error: Option<String>,
    name: String,
}

fn role_options(tr: &Tr) -> Vec<(&'static str, String)> {
    Role::ALL
        .into_iter()
        .map(|r| (r.as_str(), tr.t(r.as_str())))
        .collect()
}

async fn users_page(
    state: &AppState,
    me: &User,
    caller: &Caller,
    tr: Tr,
    uri: &Uri,
    error: Option<(StatusCode, String)>,
    name: String,
) -> Result<Response, AppError> {
    let users = state.blocking(|s| Ok(s.accounts.users()?)).await?;
    let title = tr.t("admin-users-title");
    let rows = users
        .iter()
        .map(|u| UserRow {
            id: u.id,
            name: u.name.clone(),
            role: u.role.as_str(),
            disabled: u.disabled,
            created: tr.rfc3339(&u.created_at),
            is_self: u.id == me.id,
        })
        .collect();
    let status = error.as_ref().map_or(StatusCode::OK, |(s, _)| *s);
    let mut response = html(&UsersPage {
        users: rows,
        roles: role_options(&tr),
        error: error.map(|(_, m)| m),
        name,
        page: Page::new(tr, caller, uri, title),
    })?;
    *response.status_mut() = status;
    Ok(response)
}

/// GET /admin/users
pub async fn list_users(
    State(state): State<AppState>,
    Admin(me, caller): Admin,
    tr: Tr,
    uri: Uri,
) -> Result<Response, AppError> {
    users_page(&state, &me, &caller, tr, &uri, None, String::new()).await
}

/// The form that creates an account.
#[derive(Debug, Deserialize)]
pub struct CreateUserForm {
    name: String,
    password: String,
    role: String,
}

/// A refusal the form can show: invalid input and taken names; anything else is an error.
fn form_error(e: AccountError, tr: &Tr) -> Result<(StatusCode, String), AppError> {
    if let Some(text) = crate::accounts::refusal_text(&e, tr) {
        return Ok((StatusCode::BAD_REQUEST, text));
    }
    match e {
        AccountError::NameTaken(name) => Ok((
            StatusCode::CONFLICT,
            tr.t1("admin-name-taken", "name", name),
        )),
        other => Err(other.into()),
    }
}

/// POST /admin/users — creates an account.
pub async fn create_user(
    State(state): State<AppState>,
    Admin(me, caller): Admin,
    tr: Tr,
    uri: Uri,
    Form(form): Form<CreateUserForm>,
) -> Result<Response, AppError> {
    refuse_api_tokens(&caller, &tr)?;
    let Some(role) = Role::parse(&form.role) else {
        return Err(AppError::bad_request(tr.t("admin-unknown-role")));
    };
    let name = form.name.trim().to_owned();
    let n = name.clone();
    let created = state
        .blocking(move |s| Ok(s.accounts.create_user(&n, &form.password, role)))
        .await?;
    match created {
        Ok(user) => {
            state
                .audit(
                    &me.name,
                    "account_created",
                    &format!(
                        "account {:?} (id {}) as {}",
                        user.name,
                        user.id,
                        role.as_str()
                    ),
                )
                .await?;
            Ok(Redirect::to("/admin/users").into_response())
        }
        Err(e) => {
            let error = form_error(e, &tr)?;
            users_page(&state, &me, &caller, tr, &uri, Some(error), name).await
        }
    }
}

/// The form that changes an account's role or disables it.
#[derive(Debug, Deserialize)]
pub struct ChangeUserForm {
    role: String,
    /// Present (any value) when the box is ticked.
    #[serde(default)]
    disabled: Option<String>,
}

/// POST /admin/users/{id} — changes role and disabled flag.
pub async fn change_user(
    State(state): State<AppState>,
    Admin(me, caller): Admin,
    tr: Tr,
    uri: Uri,
    Path(id): Path<i64>,
    Form(form): Form<ChangeUserForm>,
) -> Result<Response, AppError> {
    refuse_api_tokens(&caller, &tr)?;
    let Some(role) = Role::parse(&form.role) else {
        return Err(AppError::bad_request(tr.t("admin-unknown-role")));
    };
    let disabled = form.disabled.is_some();
    if id == me.id && (role != Role::Admin || disabled) {
        let message = tr.t("admin-not-yourself");
        return users_page(
            &state,
            &me,
            &caller,
            tr,
            &uri,
            Some((StatusCode::BAD_REQUEST, message)),
            String::new(),
        )
        .await;
    }
    let before = state
        .blocking(move |s| Ok(s.accounts.user(id)?))
        .await?
        .ok_or_else(|| AppError::not_found(tr.t("admin-no-such-account")))?;
    if before.role == role && before.disabled == disabled {
        return Ok(Redirect::to("/admin/users").into_response());
    }
    state
        .blocking(move |s| Ok(s.accounts.set_role(id, role, disabled)?))
        .await?;
    state
        .audit(
            &me.name,
            "role_change",
            &format!(
                "account {:?} (id {id}): {}{} -> {}{}",
                before.name,
                before.role.as_str(),
                if before.disabled { ", disabled" } else { "" },
                role.as_str(),
                if disabled { ", disabled" } else { "" },
            ),
        )
        .await?;
    Ok(Redirect::to("/admin/users").into_response())
}

/// An audit line as shown.
pub struct AuditRow {
    /// When, formatted.
    pub at: String,
    /// Who.
    pub actor: String,
    /// What.
    pub action: String,
    /// Details.
    pub detail: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    page: Page,
    entries: Vec<AuditRow>,
    limit: u64,
    /// One line on the hash chain: intact, or where it breaks.
    chain: String,
    chain_intact: bool,
}

/// GET /admin/audit — the latest entries, newest first.
pub async fn audit_log(
    State(state): State<AppState>,
    Admin(_, caller): Admin,
    tr: Tr,
    uri: Uri,
) -> Result<Response, AppError> {
    let (entries, chain): (Vec<AuditEntry>, AuditChainStatus) = state
        .blocking(|s| {
            Ok((
                s.accounts.audit_log(AUDIT_ENTRIES)?,
                s.accounts.verify_audit_chain()?,
            ))
        })
        .await?;
    let (chain, chain_intact) = match chain {
        AuditChainStatus::Intact { entries, .. } => {
            (tr.t1("audit-chain-intact", "n", entries), true)
        }
        AuditChainStatus::Broken(broken) => (tr.t1("audit-chain-broken", "id", broken.id), false),
    };
    let title = tr.t("audit-title");
    html(&AuditPage {
        entries: entries
            .into_iter()
            .map(|e| AuditRow {
                at: tr.rfc3339(&e.at),
                action: crate::audit_text::action(&tr, &e.action),
                detail: crate::audit_text::detail(&tr, &e.action, &e.detail),
                actor: e.actor,
            })
            .collect(),
        limit: AUDIT_ENTRIES,
        chain,
        chain_intact,
        page: Page::new(tr, &caller, &uri, title),
    })
}

/// A token as listed on the account page.
pub struct TokenRow {
    /// Row id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Created, formatted.
    pub created: String,
    /// Last used, formatted, or empty.
    pub last_used: String,
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    page: Page,
    name: String,
    role: String,
    created: String,
    tokens: Vec<TokenRow>,
    /// A token just created: its name and secret, shown this once.
    new_token: Option<(String, String)>,
    error: Option<String>,
    notice: Option<String>,
}

/// What the account page shows besides the account itself.
#[derive(Default)]
struct AccountExtras {
    new_token: Option<(String, String)>,
    error: Option<String>,
    notice: Option<String>,
    status: Option<StatusCode>,
}

async fn account_page(
    state: &AppState,
    me: &User,
    caller: &Caller,
    tr: Tr,
    uri: &Uri,
    extras: AccountExtras,
) -> Result<Response, AppError> {
    let id = me.id;
    let tokens: Vec<ApiToken> = state
        .blocking(move |s| Ok(s.accounts.api_tokens(id)?))
        .await?;
    let title = tr.t("account-title");
    let mut response = html(&AccountPage {
        name: me.name.clone(),
        role: tr.t(me.role.as_str()),
        created: tr.rfc3339(&me.created_at),
        tokens: tokens
            .into_iter()
            .map(|t| TokenRow {
                id: t.id,
                name: t.name,
                created: tr.rfc3339(&t.created_at),
                last_used: t
                    .last_used
                    .as_deref()
                    .map(|u| tr.rfc3339(u))
                    .unwrap_or_default(),
            })
            .collect(),
        new_token: extras.new_token,
        error: extras.error,
        notice: extras.notice,
        page: Page::new(tr, caller, uri, title),
    })?;
    if let Some(status) = extras.status {
        *response.status_mut() = status;
    }
    Ok(response)
}

/// Query of the account page.
#[derive(Debug, Default, Deserialize)]
pub struct AccountQuery {
    /// Set after a password change.
    #[serde(default)]
    changed: Option<String>,
}

/// GET /account
pub async fn account(
    State(state): State<AppState>,
    Viewer(me, caller): Viewer,
    tr: Tr,
    uri: Uri,
    axum::extract::Query(q): axum::extract::Query<AccountQuery>,
) -> Result<Response, AppError> {
    let notice = q
        .changed
        .is_some()
        .then(|| tr.t("account-password-changed"));
    let extras = AccountExtras {
        notice,
        ..AccountExtras::default()
    };
    account_page(&state, &me, &caller, tr, &uri, extras).await
}

/// The password form.
#[derive(Debug, Deserialize)]
pub struct PasswordForm {
    current: String,
    new: String,
    confirm: String,
}

/// POST /account/password — checks the current password, sets the new one, ends every
/// other session of the account and starts a fresh one for this browser.
pub async fn change_password(
    State(state): State<AppState>,
    Viewer(me, caller): Viewer,
    tr: Tr,
    uri: Uri,
    Form(form): Form<PasswordForm>,
) -> Result<Response, AppError> {
    refuse_api_tokens(&caller, &tr)?;
    let (st, user, call, here) = (&state, &me, &caller, &uri);
    let refuse = move |tr: Tr, message: String| {
        let extras = AccountExtras {
            error: Some(message),
            status: Some(StatusCode::BAD_REQUEST),
            ..AccountExtras::default()
        };
        account_page(st, user, call, tr, here, extras)
    };
    if form.new != form.confirm {
        let message = tr.t("account-password-mismatch");
        return refuse(tr, message).await;
    }
    // Guessing the current password from a hijacked session is throttled like logins.
    let user_key = format!("user:{}", me.name);
    if !state.begin_login_attempt(&[user_key.as_str()]).await? {
        let message = tr.t("login-throttled");
        return refuse(tr, message).await;
    }
    let (name, current) = (me.name.clone(), form.current);
    let permit = state.password_hash_permit().await?;
    let matches = state
        .blocking(move |s| {
            let _permit = permit;
            Ok(s.accounts.authenticate(&name, &current)?)
        })
        .await?
        .is_some_and(|u| u.id == me.id);
    if !matches {
        let _ = state
            .audit(&me.name, "password_change_failed", "wrong current password")
            .await;
        let message = tr.t("account-password-wrong");
        return refuse(tr, message).await;
    }
    state.forget_login_attempts(&[user_key.as_str()]).await?;
    let (id, new) = (me.id, form.new);
    let permit = state.password_hash_permit().await?;
    let changed = state
        .blocking(move |s| {
            let _permit = permit;
            Ok(s.accounts.set_password(id, &new))
        })
        .await?;
    if let Err(e) = changed {
        let (_, message) = form_error(e, &tr)?;
        return refuse(tr, message).await;
    }
    // `set_password` ended every session of the account, this one too: start a new one
    // here so that only the other browsers are logged out.
    let token = state
        .blocking(move |s| Ok(s.accounts.create_session(id)?))
        .await?;
    state
        .audit(&me.name, "password_change", "other sessions ended")
        .await?;
    let mut response = Redirect::to("/account?changed=1").into_response();
    if let Ok(v) = set_cookie(SESSION_COOKIE, &token, None, state.secure_cookies).parse() {
        response.headers_mut().append(SET_COOKIE, v);
    }
    Ok(response)
}

/// The token form.
#[derive(Debug, Deserialize)]
pub struct TokenForm {
    name: String,
    /// `write` when the box is ticked; a token reads only otherwise.
    scope: Option<String>,
}

/// POST /account/tokens — creates a token and shows its secret in this response only
/// (never in a URL, which would end up in logs and history).
pub async fn create_token(
    State(state): State<AppState>,
    Viewer(me, caller): Viewer,
    tr: Tr,
    uri: Uri,
    Form(form): Form<TokenForm>,
) -> Result<Response, AppError> {
    refuse_api_tokens(&caller, &tr)?;
    let (id, name) = (me.id, form.name.trim().to_owned());
    let scope = match form.scope.as_deref() {
        None | Some("" | "read") => TokenScope::Read,
        Some("write") => TokenScope::Write,
        Some(_) => return Err(AppError::bad_request("unknown token scope")),
    };
    let n = name.clone();
    let created = state
        .blocking(move |s| Ok(s.accounts.create_scoped_api_token(id, &n, scope)))
        .await?;
    let extras = match created {
        Ok(secret) => {
            state
                .audit(&me.name, "token_created", &format!("token {name:?}"))
                .await?;
            AccountExtras {
                new_token: Some((name, secret)),
                ..AccountExtras::default()
            }
        }
        Err(e) => {
            let (status, message) = form_error(e, &tr)?;
            AccountExtras {
                error: Some(message),
                status: Some(status),
                ..AccountExtras::default()
            }
        }
    };
    account_page(&state, &me, &caller, tr, &uri, extras).await
}

/// POST /account/tokens/{id}/revoke
pub async fn revoke_token(
    State(state): State<AppState>,
    Viewer(me, caller): Viewer,
    tr: Tr,
    Path(token_id): Path<i64>,
) -> Result<Response, AppError> {
    refuse_api_tokens(&caller, &tr)?;
    let id = me.id;
    let revoked = state
        .blocking(move |s| Ok(s.accounts.revoke_api_token(id, token_id)?))
        .await?;
    if !revoked {
        return Err(AppError::not_found(tr.t("account-no-such-token")));
    }
    state
        .audit(&me.name, "token_revoked", &format!("token id {token_id}"))
        .await?;
    Ok(Redirect::to("/account").into_response())
}

/// One operation of the API as the docs page lists it.
pub struct ApiOperation {
    /// `GET`, `POST`.
    pub method: String,
    /// The path under `/api/v1`.
    pub path: String,
    /// What it does (the handler's doc, English).
    pub summary: String,
    /// Parameters: (name, where, required, description).
    pub params: Vec<(String, String, bool, String)>,
    /// Answers: (status, description).
    pub responses: Vec<(String, String)>,
}

/// The operations of an OpenAPI document, in path order.
pub fn api_operations(doc: &serde_json::Value) -> Vec<ApiOperation> {
    let text = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_owned();
    let mut out = Vec::new();
    let Some(paths) = doc["paths"].as_object() else {
        return out;
    };
    for (path, item) in paths {
        let Some(methods) = item.as_object() else {
            continue;
        };
        for (method, op) in methods {
            let summary = [&op["summary"], &op["description"]]
                .into_iter()
                .map(text)
                .filter(|t| !t.is_empty())
                .collect::<Vec<_>>()
                .join(" ");
            let params = op["parameters"]
                .as_array()
                .map(|ps| {
                    ps.iter()
                        .map(|p| {
                            (
                                text(&p["name"]),
                                text(&p["in"]),
                                p["required"].as_bool().unwrap_or(false),
                                text(&p["description"]),
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
            let responses = op["responses"]
                .as_object()
                .map(|rs| {
                    rs.iter()
                        .map(|(code, r)| (code.clone(), text(&r["description"])))
                        .collect()
                })
                .unwrap_or_default();
            out.push(ApiOperation {
                method: method.to_uppercase(),
                path: path.clone(),
                summary,
                params,
                responses,
            });
        }
    }
    out
}

#[derive(Template)]
#[template(path = "api_docs.html")]
struct ApiDocsPage {
    page: Page,
    operations: Vec<ApiOperation>,
}

/// GET /account/api — the JSON API described for people, from the same OpenAPI document
/// as `/api/v1/openapi.json`.
pub async fn api_docs(Viewer(_, caller): Viewer, tr: Tr, uri: Uri) -> Result<Response, AppError> {
    let title = tr.t("api-docs-title");
    html(&ApiDocsPage {
        operations: api_operations(&crate::api::openapi_value()),
        page: Page::new(tr, &caller, &uri, title),
    })
}

/// Routes of this part.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/users", get(list_users).post(create_user))
        .route("/admin/users/{id}", post(change_user))
        .route("/admin/audit", get(audit_log))
        .route("/account", get(account))
        .route("/account/api", get(api_docs))
        .route("/account/password", post(change_password))
        .route("/account/tokens", post(create_token))
        .route("/account/tokens/{id}/revoke", post(revoke_token))
}
