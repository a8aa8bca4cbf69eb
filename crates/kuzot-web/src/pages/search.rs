//! The search page: the filter form, highlighted hits, paging and export links.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::Uri;
use axum::response::Response;
use kuzot_model::Category;

use crate::auth::Viewer;
use crate::error::AppError;
use crate::filters::SearchParams;
use crate::i18n::Tr;
use crate::render::{Page, highlight_html, html};
use crate::state::AppState;

/// One hit as shown.
pub struct HitView {
    /// Document id.
    pub id: i64,
    /// Formatted time.
    pub time: String,
    /// Category id.
    pub category: String,
    /// Category label.
    pub category_label: String,
    /// Whether the category is a risk one.
    pub risk: bool,
    /// Chat or channel.
    pub chat: String,
    /// Escaped snippet with `<mark>`s.
    pub snippet_html: String,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    page: Page,
    params: SearchParams,
    total: String,
    hits: Vec<HitView>,
    categories: Vec<(String, String)>,
    prev: Option<String>,
    next: Option<String>,
    page_label: String,
    export_query: String,
    error: Option<String>,
    /// One line per query word widened to its word family ("охрана: also охранник…").
    families: Vec<String>,
    /// The filters in force besides the words, each with a link to drop it: listed when
    /// nothing is found, as the likeliest reason.
    filters: Vec<crate::pages::dashboard::ActiveFilter>,
}

/// The lines that tell which other words of a family a search also matched.
pub fn family_lines(tr: &Tr, families: &[kuzot_search::WordFamily]) -> Vec<String> {
    families
        .iter()
        .map(|f| {
            let also: Vec<String> = f.also.iter().map(|t| format!("{t}…")).collect();
            tr.args(
                "search-family",
                &[
                    ("word", f.word.as_str()),
                    ("also", also.join(", ").as_str()),
                ],
            )
        })
        .collect()
}

/// Category options for a select: (id, label).
pub fn category_options(tr: &Tr) -> Vec<(String, String)> {
    Category::ALL
        .into_iter()
        .map(|c| (c.as_str().to_owned(), tr.category(c.as_str())))
        .collect()
}

/// The genres as (id, label), for the filter forms.
pub fn genre_options(tr: &Tr) -> Vec<(String, String)> {
    kuzot_model::Genre::ALL
        .into_iter()
        .map(|g| {
            (
                g.as_str().to_owned(),
                tr.t(&format!("genre-{}", g.as_str().replace('_', "-"))),
            )
        })
        .collect()
}

/// Turns hits into what the templates show.
pub fn hit_views(tr: &Tr, hits: &[kuzot_search::SearchHit]) -> Vec<HitView> {
    hits.iter()
        .map(|h| HitView {
            id: h.id,
            time: h.time.map(|t| tr.datetime(t)).unwrap_or_default(),
            category: h.category.as_str().to_owned(),
            category_label: tr.category(h.category.as_str()),
            risk: h.category.is_risk(),
            chat: h.chat.clone().unwrap_or_default(),
            snippet_html: highlight_html(&h.snippet.text, &h.snippet.highlights),
        })
        .collect()
}

/// GET /search
pub async fn search_page(
    State(state): State<AppState>,
    Viewer(_, caller): Viewer,
    tr: Tr,
    uri: Uri,
    Query(params): Query<SearchParams>,
) -> Result<Response, AppError> {
    let title = tr.t("search-title");
    let page = Page::new(tr.clone(), &caller, &uri, title);
    let categories = category_options(&tr);
    let query = match params.to_query(&tr) {
        Ok(q) => q,
        Err(e) => {
            return html(&SearchPage {
                page,
                params,
                total: String::new(),
                hits: Vec::new(),
                categories,
                prev: None,
                next: None,
                page_label: String::new(),
                export_query: String::new(),
                error: Some(e.message),
                families: Vec::new(),
                filters: Vec::new(),
            });
        }
    };
    let limit = query.limit;
    let offset = query.offset;
    let results = state.search(query).await?;
    let number = params.page_number();
    let prev = (number > 1).then(|| format!("/search?{}", params.to_query_string(number - 1)));
    let next = ((offset + limit) < results.total as usize)
        .then(|| format!("/search?{}", params.to_query_string(number + 1)));
    // A query with nothing searchable in it matched nothing; say why instead of "0".
    let error = results.unsearchable.then(|| tr.t("search-unsearchable"));
    let filters = crate::pages::dashboard::active_filters(&tr, &params, "/search")
        .into_iter()
        .filter(|f| f.field != "q")
        .collect();
    html(&SearchPage {
        filters,
        total: tr.count("results-count", results.total),
        hits: hit_views(&tr, &results.hits),
        families: family_lines(&tr, &results.families),
        page_label: tr.t1("page-number", "n", number),
        export_query: params.to_query_string(0),
        page,
        params,
        categories,
        prev,
        next,
        error,
    })
}
