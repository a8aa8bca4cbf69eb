//! Logging in and out, the first admin's setup link, and the language switch.

use askama::Template;
use axum::Form;
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::auth::{Anyone, LANG_COOKIE, SESSION_COOKIE, set_cookie};
use crate::error::AppError;
use crate::i18n::{Lang, Tr};
use crate::render::{Page, html};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    page: Page,
    error: Option<String>,
    next: String,
    name: String,
    /// Just after setup: say that the account was made, so the form is not a puzzle.
    created: bool,
}

/// Query of the login page.
#[derive(Debug, Deserialize)]
pub struct NextQuery {
    next: Option<String>,
    /// Set by the redirect after setup (`?created=1`).
    created: Option<String>,
}

/// A redirect target from a form: only a path on this site, never `//host` or a URL.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.starts_with("/\\")
                && !n.chars().any(|c| c.is_control() || c == '\\') =>
        {
            n.to_owned()
        }
        _ => "/".to_owned(),
    }
}

/// GET /login
pub async fn login_page(
    Anyone(caller): Anyone,
    tr: Tr,
    uri: Uri,
    Query(q): Query<NextQuery>,
) -> Result<Response, AppError> {
    if caller.user.is_some() {
        return Ok(Redirect::to(&safe_next(q.next.as_deref())).into_response());
    }
    let title = tr.t("login-title");
    html(&LoginPage {
        page: Page::new(tr, &caller, &uri, title),
        error: None,
        next: safe_next(q.next.as_deref()),
        name: String::new(),
        created: q.created.as_deref() == Some("1"),
    })
}

/// The login form.
#[derive(Debug, Deserialize)]
pub struct LoginForm {
    name: String,
    password: String,
    next: Option<String>,
}

/// POST /login
pub async fn login(
    State(state): State<AppState>,
    Anyone(caller): Anyone,
    tr: Tr,
    uri: Uri,
    ConnectInfo(addr): ConnectInfo<std::net::SocketAddr>,
    Form(form): Form<LoginForm>,
) -> Result<Response, AppError> {
    let ip_key = format!("ip:{}", addr.ip());
    // No account name is longer than this: a longer one is cut before it is used as a key,
    // shown, or written to the audit log (and is refused without hashing).
    let typed = form.name.trim();
    let too_long = typed.chars().count() > crate::accounts::MAX_NAME_CHARS;
    let name: String = typed
        .chars()
        .take(crate::accounts::MAX_NAME_CHARS)
        .collect();
    let user_key = format!("user:{name}");
    let keys = [ip_key.as_str(), user_key.as_str()];
    let next = safe_next(form.next.as_deref());
    let fail = |tr: Tr, message: String, status: StatusCode| -> Result<Response, AppError> {
        let title = tr.t("login-title");
        let mut response = html(&LoginPage {
            page: Page::new(tr, &caller, &uri, title),
            error: Some(message),
            next: next.clone(),
            name: name.clone(),
            created: false,
        })?;
        *response.status_mut() = status;
        Ok(response)
    };
    // The attempt is counted before the password is checked, so that requests sent at
    // once cannot all be checked before the first failure is recorded.
    if !state.begin_login_attempt(&keys).await? {
        let _ = state
            .audit("-", "login_throttled", &format!("account {name:?}"))
            .await;
        return fail(
            tr.clone(),
            tr.t("login-throttled"),
            StatusCode::TOO_MANY_REQUESTS,
        );
    }
    let user = if too_long || form.password.len() > crate::accounts::MAX_PASSWORD_BYTES {
        None
    } else {
        let permit = state.password_hash_permit().await?;
        let (n, p) = (name.clone(), form.password);
        state
            .blocking(move |s| {
                let _permit = permit;
                Ok(s.accounts.authenticate(&n, &p)?)
            })
            .await?
    };
    let Some(user) = user else {
        let _ = state
            .audit("-", "login_failed", &format!("account {name:?}"))
            .await;
        return fail(tr.clone(), tr.t("login-failed"), StatusCode::UNAUTHORIZED);
    };
    state.forget_login_attempts(&keys).await?;
    let id = user.id;
    let token = state
        .blocking(move |s| Ok(s.accounts.create_session(id)?))
        .await?;
    state.audit(&user.name, "login", "").await?;
    let mut response = Redirect::to(&next).into_response();
    let cookie = set_cookie(SESSION_COOKIE, &token, None, state.secure_cookies);
    if let Ok(v) = cookie.parse() {
        response.headers_mut().append(SET_COOKIE, v);
    }
    Ok(response)
}

/// POST /logout
pub async fn logout(
    State(state): State<AppState>,
    Anyone(caller): Anyone,
) -> Result<Response, AppError> {
    if let Some(token) = caller.session_cookie.clone() {
        state
            .blocking(move |s| Ok(s.accounts.end_session(&token)?))
            .await?;
    }
    if let Some(user) = &caller.user {
        state.audit(&user.name, "logout", "").await?;
    }
    let mut response = Redirect::to("/login").into_response();
    if let Ok(v) = set_cookie(SESSION_COOKIE, "", Some(0), state.secure_cookies).parse() {
        response.headers_mut().append(SET_COOKIE, v);
    }
    Ok(response)
}

#[derive(Template)]
#[template(path = "setup.html")]
struct SetupPage {
    page: Page,
    error: Option<String>,
    action: String,
}

/// GET /setup/{token}
pub async fn setup_page(
    State(state): State<AppState>,
    Anyone(caller): Anyone,
    tr: Tr,
    uri: Uri,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    let t = token.clone();
    if !state
        .blocking(move |s| Ok(s.accounts.setup_link_valid(&t)?))
        .await?
    {
        return Err(AppError::not_found(tr.t("setup-invalid")));
    }
    let title = tr.t("setup-title");
    html(&SetupPage {
        page: Page::new(tr, &caller, &uri, title),
        error: None,
        action: format!("/setup/{}", crate::render::path_segment(&token)),
    })
}

/// The setup form.
#[derive(Debug, Deserialize)]
pub struct SetupForm {
    name: String,
    password: String,
}

/// POST /setup/{token}
pub async fn setup(
    State(state): State<AppState>,
    Anyone(caller): Anyone,
    tr: Tr,
    uri: Uri,
    Path(token): Path<String>,
    Form(form): Form<SetupForm>,
) -> Result<Response, AppError> {
    let name = form.name.trim().to_owned();
    let t = token.clone();
    let permit = state.password_hash_permit().await?;
    let result = state
        .blocking(move |s| {
            let _permit = permit;
            Ok(s.accounts.complete_setup(&t, &name, &form.password))
        })
        .await?;
    match result {
        Ok(user) => {
            state
                .audit(&user.name, "setup", "first admin account created")
                .await?;
            Ok(Redirect::to("/login?created=1").into_response())
        }
        Err(e) if crate::accounts::refusal_text(&e, &tr).is_some() => {
            let message = crate::accounts::refusal_text(&e, &tr).unwrap_or_default();
            let title = tr.t("setup-title");
            let mut response = html(&SetupPage {
                page: Page::new(tr, &caller, &uri, title),
                error: Some(message),
                action: format!("/setup/{}", crate::render::path_segment(&token)),
            })?;
            *response.status_mut() = StatusCode::BAD_REQUEST;
            Ok(response)
        }
        Err(e) => Err(e.into()),
    }
}

/// GET /lang/{code}?next=… — sets the interface language and goes back.
pub async fn switch_language(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Query(q): Query<NextQuery>,
    _headers: HeaderMap,
) -> Result<Response, AppError> {
    let lang =
        Lang::parse(&code).ok_or_else(|| AppError::not_found("no such interface language"))?;
    let mut response = Redirect::to(&safe_next(q.next.as_deref())).into_response();
    let cookie = set_cookie(
        LANG_COOKIE,
        lang.code(),
        Some(365 * 24 * 3600),
        state.secure_cookies,
    );
    if let Ok(v) = cookie.parse() {
        response.headers_mut().append(SET_COOKIE, v);
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn redirects_stay_on_this_site() {
        assert_eq!(safe_next(Some("/search?q=a")), "/search?q=a");
        for bad in [
            "//evil.example",
            "https://evil.example",
            "/\\evil",
            "javascript:x",
            "/\nx",
        ] {
            assert_eq!(safe_next(Some(bad)), "/", "{bad}");
        }
        assert_eq!(safe_next(None), "/");
    }
}
