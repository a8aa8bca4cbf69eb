//! "Know your rights" (`/rights`, public): how recruitment reaches migrants, the risks,
//! what the law says (every legal line from the legal statements file, with its citation
//! and date of check), what to do, and whom to call (the contacts file, each entry with
//! its date of check; when it holds none, the page says where the list comes from).

use askama::Template;
use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::{Html, IntoResponse, Response};

use crate::auth::Anyone;
use crate::error::AppError;
use crate::i18n::Tr;
use crate::render::Page;
use crate::state::AppState;

/// One legal statement as the page shows it.
pub struct LawLine {
    /// Anchor id.
    pub id: String,
    /// Whose law, named in the reader's language.
    pub jurisdiction: String,
    /// The statement.
    pub text: String,
    /// Law and article.
    pub citation: String,
    /// Whether the article was checked.
    pub article_checked: bool,
    /// Date of check, in the reader's format.
    pub checked: String,
}

/// One contact as the page shows it.
pub struct ContactLine {
    /// Name in the reader's language.
    pub name: String,
    /// Number to call.
    pub phone: Option<String>,
    /// Its own page.
    pub url: Option<String>,
    /// Date of check.
    pub checked: String,
}

#[derive(Template)]
#[template(path = "rights.html")]
struct RightsPage {
    page: Page,
    schemes: Vec<String>,
    risks: Vec<String>,
    steps: Vec<String>,
    law: Vec<LawLine>,
    contacts: Vec<ContactLine>,
}

/// A `YYYY-MM-DD` date in the reader's format (as it is when it does not parse).
pub fn iso_date(tr: &Tr, date: &str) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(date, &format)
        .map(|d| tr.date(d.midnight().assume_utc().unix_timestamp()))
        .unwrap_or_else(|_| date.to_owned())
}

/// The catalogue ids of each list of the page, in order.
const SCHEMES: [&str; 6] = [
    "rights-scheme-street",
    "rights-scheme-centre",
    "rights-scheme-jobs",
    "rights-scheme-messengers",
    "rights-scheme-raids",
    "rights-scheme-prisons",
];
const RISKS: [&str; 5] = [
    "rights-risk-front",
    "rights-risk-wages",
    "rights-risk-forced",
    "rights-risk-bans",
    "rights-risk-prosecution",
];
const STEPS: [&str; 5] = [
    "rights-step-check",
    "rights-step-sign",
    "rights-step-passport",
    "rights-step-copies",
    "rights-step-consulate",
];

/// `GET /rights`.
pub async fn rights_page(
    State(state): State<AppState>,
    Anyone(caller): Anyone,
    tr: Tr,
    uri: Uri,
) -> Response {
    let contacts = match kuzot_model::law::Contacts::shipped() {
        Ok(c) => c,
        Err(e) => return AppError::internal(e).into_response(),
    };
    let lang = tr.lang.code();
    let law = state
        .law
        .all
        .iter()
        .map(|s| LawLine {
            id: s.id.clone(),
            jurisdiction: tr.t(&format!("jurisdiction-{}", s.jurisdiction.as_str())),
            text: s.text.get(lang).to_owned(),
            citation: s.citation.clone(),
            article_checked: s.article_checked,
            checked: iso_date(&tr, &s.checked),
        })
        .collect();
    let contacts = contacts
        .all
        .iter()
        .map(|c| ContactLine {
            name: c.name.get(lang).to_owned(),
            phone: c.phone.clone(),
            url: c.url.clone(),
            checked: iso_date(&tr, &c.checked),
        })
        .collect();
    let list = |ids: &[&str]| ids.iter().map(|id| tr.t(id)).collect::<Vec<_>>();
    let title = tr.t("rights-title");
    let page = RightsPage {
        schemes: list(&SCHEMES),
        risks: list(&RISKS),
        steps: list(&STEPS),
        law,
        contacts,
        page: Page::public(tr, &caller, &uri, title),
    };
    match page.render() {
        Ok(html) => (StatusCode::OK, Html(html)).into_response(),
        Err(e) => AppError::internal(e).into_response(),
    }
}

/// The page's route.
pub fn routes() -> axum::Router<AppState> {
    axum::Router::new().route("/rights", axum::routing::get(rights_page))
}
