//! The authorisation matrix: every route of the application, asked by an anonymous visitor
//! and by each role, with a session cookie and (for the API) with an API token. A role
//! below a route's minimum gets 403, an anonymous visitor the login page (401 from the
//! API), and a role at or above it never a refusal nor a server error. An API token acts
//! at most as its scope allows (read: a viewer; write: an analyst), whatever its owner's
//! role, and never posts an HTML form.
//!
//! The list of routes is checked against the router's source, so that a route added
//! without a line here fails this test.

mod common;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use common::{Harness, Reply, Session};
use kuzot_web::accounts::{Role, TokenScope};

/// Who may use a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Need {
    /// Anyone, logged in or not.
    Public,
    /// At least this role.
    Role(Role),
}

const VIEWER: Need = Need::Role(Role::Viewer);
const ANALYST: Need = Need::Role(Role::Analyst);
const ADMIN: Need = Need::Role(Role::Admin);

/// (method, route pattern as written in the router, a concrete path, who may use it).
/// `{id}` of a message is replaced by a real message id.
const PAGE_ROUTES: &[(&str, &str, &str, Need)] = &[
    ("GET", "/", "/", VIEWER),
    ("GET", "/charts/{file}", "/charts/weekly.svg", VIEWER),
    (
        "GET",
        "/search",
        "/search?q=%D0%BE%D1%85%D1%80%D0%B0%D0%BD%D0%B0",
        VIEWER,
    ),
    ("GET", "/search/{file}", "/search/export.csv?q=a", VIEWER),
    ("GET", "/messages/{id}", "/messages/{id}", VIEWER),
    (
        "POST",
        "/messages/{id}/label",
        "/messages/{id}/label",
        ANALYST,
    ),
    ("GET", "/login", "/login", Need::Public),
    ("POST", "/login", "/login", Need::Public),
    ("POST", "/logout", "/logout", Need::Public),
    ("GET", "/setup/{token}", "/setup/not-a-token", Need::Public),
    ("POST", "/setup/{token}", "/setup/not-a-token", Need::Public),
    ("GET", "/lang/{code}", "/lang/ky", Need::Public),
    ("GET", "/static/app.css", "/static/app.css", Need::Public),
    ("GET", "/static/app.js", "/static/app.js", Need::Public),
    ("GET", "/check", "/check", Need::Public),
    ("POST", "/check", "/check", Need::Public),
    ("GET", "/rights", "/rights", Need::Public),
    ("GET", "/admin/users", "/admin/users", ADMIN),
    ("POST", "/admin/users", "/admin/users", ADMIN),
    ("POST", "/admin/users/{id}", "/admin/users/999", ADMIN),
    ("GET", "/admin/audit", "/admin/audit", ADMIN),
    ("GET", "/admin/public", "/admin/public", ADMIN),
    ("POST", "/admin/public", "/admin/public", ADMIN),
    ("GET", "/public", "/public", Need::Public),
    (
        "GET",
        "/public/charts/{file}",
        "/public/charts/categories.svg",
        Need::Public,
    ),
    ("GET", "/account", "/account", VIEWER),
    ("GET", "/account/api", "/account/api", VIEWER),
    ("POST", "/account/password", "/account/password", VIEWER),
    ("POST", "/account/tokens", "/account/tokens", VIEWER),
    (
        "POST",
        "/account/tokens/{id}/revoke",
        "/account/tokens/999/revoke",
        VIEWER,
    ),
    ("GET", "/phones", "/phones", VIEWER),
    ("GET", "/phones/{phone}", "/phones/%2B79000000007", VIEWER),
    ("GET", "/orgs/{org}", "/orgs/wagner", VIEWER),
    ("GET", "/places/{place}", "/places/mariupol", VIEWER),
    ("GET", "/channels/{name}", "/channels/Work", VIEWER),
    ("GET", "/sources", "/sources", VIEWER),
    ("GET", "/sources/{id}", "/sources/1", VIEWER),
    ("GET", "/sources/{id}/file", "/sources/1/file", ANALYST),
    ("GET", "/model", "/model", ANALYST),
    ("POST", "/model/retrain", "/model/retrain", ANALYST),
    ("POST", "/model/activate", "/model/activate", ADMIN),
    ("POST", "/model/reanalyze", "/model/reanalyze", ADMIN),
    ("GET", "/review", "/review", ANALYST),
    ("GET", "/review/next", "/review/next", ANALYST),
    ("GET", "/imports", "/imports", ANALYST),
    ("POST", "/imports", "/imports", ANALYST),
    ("GET", "/imports/jobs/{id}", "/imports/jobs/999", ANALYST),
    (
        "GET",
        "/imports/jobs/{id}/status",
        "/imports/jobs/999/status",
        ANALYST,
    ),
];

/// The API's routes (relative to `/api/v1`) with a concrete path and who may use them.
const API_ROUTES: &[(&str, &str, &str, Need)] = &[
    ("get", "/search", "/search?q=a", VIEWER),
    ("get", "/messages/{id}", "/messages/{id}", VIEWER),
    (
        "get",
        "/messages/{id}/facts",
        "/messages/{id}/facts",
        VIEWER,
    ),
    (
        "get",
        "/messages/{id}/labels",
        "/messages/{id}/labels",
        VIEWER,
    ),
    (
        "post",
        "/messages/{id}/labels",
        "/messages/{id}/labels",
        ANALYST,
    ),
    ("get", "/stats", "/stats", VIEWER),
    ("post", "/imports", "/imports", ANALYST),
    ("get", "/imports/{id}", "/imports/999", ANALYST),
    ("get", "/openapi.json", "/openapi.json", Need::Public),
    ("post", "/check", "/check", Need::Public),
];

#[test]
fn every_route_is_in_the_matrix() {
    let mut listed: Vec<String> = PAGE_ROUTES.iter().map(|r| r.1.to_owned()).collect();
    listed.sort();
    listed.dedup();
    assert_eq!(
        listed,
        common::routes_in_source(),
        "PAGE_ROUTES and the router differ"
    );
    let mut api: Vec<(String, String)> = API_ROUTES
        .iter()
        .map(|r| (r.0.to_owned(), r.1.to_owned()))
        .collect();
    let mut declared: Vec<(String, String)> = kuzot_web::api::ROUTES
        .iter()
        .map(|(m, p)| ((*m).to_owned(), (*p).to_owned()))
        .collect();
    api.sort();
    declared.sort();
    assert_eq!(api, declared, "API_ROUTES and the API differ");
}

/// Who asks: nobody, or a role with a cookie session or an API token.
#[derive(Debug, Clone)]
enum Caller {
    Anonymous,
    Cookie(Role, Session),
    Token(Role, TokenScope, String),
}

impl Caller {
    /// The role the caller acts with: a token's is capped by its scope.
    fn role(&self) -> Option<Role> {
        match self {
            Caller::Anonymous => None,
            Caller::Cookie(r, _) => Some(*r),
            Caller::Token(r, scope, _) => Some(match scope {
                TokenScope::Read => (*r).min(Role::Viewer),
                TokenScope::Write => (*r).min(Role::Analyst),
            }),
        }
    }
}

async fn ask(h: &Harness, method: &str, path: &str, caller: &Caller) -> Reply {
    let method = Method::from_bytes(method.to_ascii_uppercase().as_bytes()).expect("method");
    let mut r = Request::builder().method(method.clone()).uri(path);
    let mut body = String::new();
    match caller {
        Caller::Anonymous => {
            // The pre-login double-submit token, as the login form carries it.
            r = r.header(
                header::COOKIE,
                "kuzot_csrf=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            );
            if method == Method::POST {
                r = r.header(
                    "x-csrf-token",
                    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
                );
                body =
                    "_csrf=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef".into();
            }
        }
        Caller::Cookie(_, s) => {
            r = r.header(header::COOKIE, format!("kuzot_session={}", s.cookie));
            if method == Method::POST {
                r = r.header("x-csrf-token", &s.csrf);
                body = form_urlencoded::Serializer::new(String::new())
                    .append_pair("_csrf", &s.csrf)
                    .finish();
            }
        }
        Caller::Token(_, _, t) => r = r.header(header::AUTHORIZATION, format!("Bearer {t}")),
    }
    if method == Method::POST {
        r = r.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    }
    h.send(r.body(Body::from(body)).expect("request")).await
}

fn check(reply: &Reply, method: &str, path: &str, need: Need, caller: &Caller, api: bool) {
    let who = format!("{caller:?} {method} {path}");
    let who = who.split(", Session").next().unwrap_or(&who).to_owned();
    assert!(
        reply.status.as_u16() < 500,
        "{who}: server error {} {}",
        reply.status,
        reply.text()
    );
    let refused = [StatusCode::UNAUTHORIZED, StatusCode::FORBIDDEN].contains(&reply.status)
        || (reply.status.is_redirection() && reply.header("location").starts_with("/login"));
    let allowed = match (need, caller.role()) {
        (Need::Public, _) => true,
        (Need::Role(_), None) => false,
        (Need::Role(min), Some(role)) => role >= min,
    };
    if allowed {
        if need == Need::Public {
            // An empty login or setup form may be answered 400 or 401, but nobody is
            // forbidden a public route.
            assert_ne!(reply.status, StatusCode::FORBIDDEN, "{who}");
        } else {
            assert!(!refused, "{who}: refused ({})", reply.status);
        }
        return;
    }
    match caller {
        Caller::Anonymous if api => assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{who}"),
        Caller::Anonymous => {
            assert_eq!(reply.status, StatusCode::SEE_OTHER, "{who}");
            assert!(
                reply.header("location").starts_with("/login?next="),
                "{who}"
            );
        }
        _ => assert_eq!(reply.status, StatusCode::FORBIDDEN, "{who}"),
    }
}

fn message_id(h: &Harness) -> i64 {
    let store = kuzot_store::Store::open(&h.data_dir()).expect("store");
    let mut id = None;
    store
        .for_each_document(&kuzot_store::DocumentFilter::default(), &mut |d| {
            id.get_or_insert(d.id);
            Ok(())
        })
        .expect("documents");
    id.expect("the examples are stored")
}

#[tokio::test]
async fn every_route_answers_every_role_as_it_should() {
    let h = Harness::new();
    let id = message_id(&h).to_string();
    let mut asked = 0;
    for (method, _, path, need) in PAGE_ROUTES {
        let path = path.replace("{id}", &id);
        // A fresh session per request: `/logout` and password changes end sessions.
        let mut callers = vec![Caller::Anonymous];
        callers.extend(
            Role::ALL
                .into_iter()
                .map(|r| Caller::Cookie(r, h.session(r.as_str()))),
        );
        for caller in &callers {
            let reply = ask(&h, method, &path, caller).await;
            check(&reply, method, &path, *need, caller, false);
            asked += 1;
        }
    }
    for (method, _, path, need) in API_ROUTES {
        let path = format!("/api/v1{}", path.replace("{id}", &id));
        let mut callers = vec![Caller::Anonymous];
        for role in Role::ALL {
            callers.push(Caller::Cookie(role, h.session(role.as_str())));
            let user = h
                .state
                .accounts
                .authenticate(role.as_str(), common::PASSWORD)
                .expect("accounts")
                .expect("user");
            for scope in [TokenScope::Read, TokenScope::Write] {
                let token = h
                    .state
                    .accounts
                    .create_scoped_api_token(user.id, "matrix", scope)
                    .expect("token");
                callers.push(Caller::Token(role, scope, token));
            }
        }
        for caller in &callers {
            let reply = ask(&h, method, &path, caller).await;
            check(&reply, method, &path, *need, caller, true);
            asked += 1;
        }
    }
    assert_eq!(asked, PAGE_ROUTES.len() * 4 + API_ROUTES.len() * 10);
}

#[tokio::test]
async fn tokens_never_post_html_forms_nor_reach_admin_pages() {
    let h = Harness::new();
    let id = message_id(&h).to_string();
    let admin = h
        .state
        .accounts
        .authenticate("admin", common::PASSWORD)
        .expect("accounts")
        .expect("admin");
    let token = h
        .state
        .accounts
        .create_scoped_api_token(admin.id, "script", TokenScope::Write)
        .expect("token");
    let caller = Caller::Token(Role::Admin, TokenScope::Write, token);
    for (method, _, path, need) in PAGE_ROUTES {
        let path = path.replace("{id}", &id);
        let reply = ask(&h, method, &path, &caller).await;
        if *method == "POST" || *need == ADMIN {
            assert_eq!(reply.status, StatusCode::FORBIDDEN, "token {method} {path}");
        }
    }
}

#[tokio::test]
async fn a_revoked_or_forged_token_is_refused() {
    let h = Harness::new();
    let user = h
        .state
        .accounts
        .authenticate("admin", common::PASSWORD)
        .expect("accounts")
        .expect("user");
    let token = h
        .state
        .accounts
        .create_api_token(user.id, "script")
        .expect("token");
    assert_eq!(
        h.get_with_token("/api/v1/stats", &token).await.status,
        StatusCode::OK
    );
    let forged = format!("{}x", &token[..token.len() - 1]);
    assert_eq!(
        h.get_with_token("/api/v1/stats", &forged).await.status,
        StatusCode::UNAUTHORIZED
    );
    let tokens = h.state.accounts.api_tokens(user.id).expect("tokens");
    for t in tokens {
        h.state
            .accounts
            .revoke_api_token(user.id, t.id)
            .expect("revoke");
    }
    assert_eq!(
        h.get_with_token("/api/v1/stats", &token).await.status,
        StatusCode::UNAUTHORIZED
    );
}
