//! Analyst review and the model loop, in-process: the queue puts unreviewed risk messages
//! first and forgets labelled ones, Retrain scores a candidate beside the model in use,
//! only an admin switches to it, and the audit log records it all; account management by
//! an admin.

mod common;

use axum::http::StatusCode;
use common::Harness;
use kuzot_model::Category;
use kuzot_store::NewLabel;

/// Message ids the queue links to, in page order (the lists after the queue left out).
fn linked_ids(html: &str) -> Vec<i64> {
    let queue = html.split("id=\"contradictions\"").next().unwrap_or("");
    queue
        .split("href=\"/messages/")
        .skip(1)
        .filter_map(|rest| rest.split(['"', '?']).next())
        .filter_map(|id| id.parse().ok())
        .collect()
}

/// The value of the first `<input name="{name}" value="…">` on a page.
fn input_value(html: &str, name: &str) -> Option<String> {
    let at = html.find(&format!("name=\"{name}\" value=\""))?;
    let rest = &html[at + name.len() + 15..];
    Some(rest.split('"').next()?.to_owned())
}

#[tokio::test]
async fn the_queue_puts_risk_first_and_forgets_what_was_labelled() {
    let h = Harness::new();
    let analyst = h.session("analyst");
    let page = h.get("/review", Some(&analyst)).await;
    assert_eq!(page.status, StatusCode::OK);
    let queued = linked_ids(&page.text());
    assert!(!queued.is_empty(), "the examples hold risk messages");
    let store = kuzot_store::Store::open(&h.data_dir()).expect("store");
    let risk: Vec<bool> = queued
        .iter()
        .map(|id| {
            let a = store.analysis_of(*id).expect("analysis").expect("analysed");
            a.analysis.category.is_risk()
        })
        .collect();
    // Risk messages form the head of the queue.
    let first_other = risk.iter().position(|r| !r).unwrap_or(risk.len());
    assert!(risk[first_other..].iter().all(|r| !r), "{risk:?}");
    assert!(risk[0]);

    // "Start" leads to the first queued message, marked as coming from the queue.
    let next = h.get("/review/next", Some(&analyst)).await;
    assert!(next.status.is_redirection());
    assert!(
        next.header("location")
            .starts_with(&format!("/messages/{}", queued[0])),
        "{}",
        next.header("location")
    );

    // Label it through the form: it leaves the queue and the form goes on to the next one.
    let first = queued[0];
    let r = h
        .post_form(
            &format!("/messages/{first}/label"),
            &[
                ("category", "job_other"),
                ("note", "checked"),
                ("next", "/review/next"),
            ],
            &analyst,
        )
        .await;
    assert!(r.status.is_redirection(), "{} {}", r.status, r.text());
    assert!(r.header("location").starts_with("/review/next"));
    let after = linked_ids(&h.get("/review", Some(&analyst)).await.text());
    assert!(!after.contains(&first));
    let labels = store.labels_of(first).expect("labels");
    assert_eq!(labels.len(), 1);
    assert_eq!(labels[0].labelled_by, "analyst");
    assert_eq!(labels[0].category, Category::JobOther);
    assert!(
        !labels[0].engine_version.is_empty(),
        "the label keeps the engine version"
    );

    // A bad category is refused with a clear 400 and stores nothing.
    let bad = h
        .post_form(
            &format!("/messages/{}/label", queued[1]),
            &[("category", "<script>")],
            &analyst,
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(!bad.text().contains("<script>"));
    assert!(store.labels_of(queued[1]).expect("labels").is_empty());

    // The audit log shows the label, to an admin.
    let admin = h.session("admin");
    let audit = h.get("/admin/audit", Some(&admin)).await.text();
    assert!(audit.contains("\">Message labelled</td>"), "{audit}");
}

#[tokio::test]
async fn retrain_scores_a_candidate_and_only_an_admin_switches_to_it() {
    let h = Harness::new();
    let analyst = h.session("analyst");
    let admin = h.session("admin");

    // Too few labels: a clear refusal, no candidate.
    let r = h.post_form("/model/retrain", &[], &analyst).await;
    let page = if r.status.is_redirection() {
        h.get("/model", Some(&analyst)).await.text()
    } else {
        r.text()
    };
    assert!(page.contains("id=\"model-error\""), "{page}");
    assert!(!page.contains("id=\"candidate\""));

    // Label every example message with the engine's category, as an analyst confirming.
    {
        let mut store = kuzot_store::Store::open(&h.data_dir()).expect("store");
        let mut ids = Vec::new();
        store
            .for_each_document(&kuzot_store::DocumentFilter::default(), &mut |d| {
                ids.push(d.id);
                Ok(())
            })
            .expect("documents");
        assert!(ids.len() >= kuzot_web::pages::model::MIN_LABELS);
        for id in ids {
            let category = store
                .analysis_of(id)
                .expect("analysis")
                .expect("analysed")
                .analysis
                .category;
            store
                .add_label(&NewLabel {
                    document_id: id,
                    category,
                    facts: None,
                    note: None,
                    labelled_by: "analyst".into(),
                })
                .expect("label");
        }
    }
    let r = h.post_form("/model/retrain", &[], &analyst).await;
    assert!(r.status.is_redirection(), "{} {}", r.status, r.text());
    let page = h.get("/model", Some(&analyst)).await.text();
    assert!(page.contains("id=\"candidate\""), "{page}");
    let before = page
        .split("id=\"engine-version\">")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .expect("version")
        .to_owned();
    // An analyst sees the figures but not the switch.
    assert!(!page.contains("id=\"activate\""));
    assert!(
        page.matches("<tr><th>").count() >= 2,
        "accuracy and macro-F1 rows"
    );

    let admin_page = h.get("/model", Some(&admin)).await.text();
    let version =
        input_value(&admin_page, "version").expect("the activation form names the candidate");
    // A stale version (someone retrained meanwhile) is refused.
    let stale = h
        .post_form("/model/activate", &[("version", "older")], &admin)
        .await;
    assert!(stale.status.is_client_error(), "{}", stale.status);
    let r = h
        .post_form("/model/activate", &[("version", &version)], &admin)
        .await;
    assert!(r.status.is_redirection(), "{} {}", r.status, r.text());
    let page = h.get("/model", Some(&admin)).await.text();
    let after = page
        .split("id=\"engine-version\">")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .expect("version")
        .to_owned();
    assert_ne!(before, after, "the engine in use changed");
    assert!(
        h.data_dir().join("models").exists(),
        "the model is installed in the data directory"
    );

    let audit = h.get("/admin/audit", Some(&admin)).await.text();
    assert!(audit.contains("\">Model trained</td>"), "{audit}");
    assert!(audit.contains("\">Model switched</td>"), "{audit}");
}

#[tokio::test]
async fn an_admin_manages_accounts_and_roles_and_it_is_audited() {
    let h = Harness::new();
    let admin = h.session("admin");
    let r = h
        .post_form(
            "/admin/users",
            &[
                ("name", "nurila"),
                ("password", "a long enough password"),
                ("role", "viewer"),
            ],
            &admin,
        )
        .await;
    assert!(
        r.status.is_redirection() || r.status == StatusCode::OK,
        "{} {}",
        r.status,
        r.text()
    );
    let user = h
        .state
        .accounts
        .users()
        .expect("users")
        .into_iter()
        .find(|u| u.name == "nurila")
        .expect("created");
    assert_eq!(user.role, kuzot_web::accounts::Role::Viewer);

    // A short password and a taken name are refused, nothing created.
    let r = h
        .post_form(
            "/admin/users",
            &[("name", "short"), ("password", "123"), ("role", "viewer")],
            &admin,
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(
        r.text()
            .contains("The password must have at least 10 characters."),
        "{}",
        r.text()
    );
    // … and in the reader's language.
    let mut body = form_urlencoded::Serializer::new(String::new());
    body.append_pair("_csrf", &admin.csrf)
        .append_pair("name", "short")
        .append_pair("password", "123")
        .append_pair("role", "viewer");
    let request = axum::http::Request::post("/admin/users")
        .header(
            axum::http::header::COOKIE,
            format!("kuzot_session={}; kuzot_lang=ky", admin.cookie),
        )
        .header(
            axum::http::header::CONTENT_TYPE,
            "application/x-www-form-urlencoded",
        )
        .body(axum::body::Body::from(body.finish()))
        .expect("request");
    let r = h.send(request).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(
        r.text().contains("Сырсөздө кеминде 10 белги болушу керек."),
        "{}",
        r.text()
    );
    let r = h
        .post_form(
            "/admin/users",
            &[
                ("name", "nurila"),
                ("password", "another long password"),
                ("role", "admin"),
            ],
            &admin,
        )
        .await;
    assert!(r.status.is_client_error());
    assert_eq!(
        h.state
            .accounts
            .users()
            .expect("users")
            .iter()
            .filter(|u| u.name == "nurila")
            .count(),
        1
    );
    assert!(
        !h.state
            .accounts
            .users()
            .expect("users")
            .iter()
            .any(|u| u.name == "short")
    );

    // Promote to analyst: the new role takes effect on the next request.
    let cookie = h.state.accounts.create_session(user.id).expect("session");
    let csrf = h
        .state
        .accounts
        .session(&cookie)
        .expect("accounts")
        .expect("live")
        .csrf;
    let session = common::Session { cookie, csrf };
    assert_eq!(
        h.get("/review", Some(&session)).await.status,
        StatusCode::FORBIDDEN
    );
    let r = h
        .post_form(
            &format!("/admin/users/{}", user.id),
            &[("role", "analyst")],
            &admin,
        )
        .await;
    assert!(r.status.is_redirection(), "{} {}", r.status, r.text());
    assert_eq!(
        h.get("/review", Some(&session)).await.status,
        StatusCode::OK
    );
    // Disabled: the sessions stop working.
    let r = h
        .post_form(
            &format!("/admin/users/{}", user.id),
            &[("role", "analyst"), ("disabled", "on")],
            &admin,
        )
        .await;
    assert!(r.status.is_redirection());
    assert!(h.get("/", Some(&session)).await.status.is_redirection());

    let audit = h.get("/admin/audit", Some(&admin)).await.text();
    assert!(audit.contains("nurila"));
    assert!(audit.contains("\">Account created</td>"), "{audit}");
    assert!(audit.contains("\">Role changed</td>"), "{audit}");
    // No password ever reaches the audit log.
    assert!(!audit.contains("a long enough password"));
}

#[tokio::test]
async fn an_api_token_is_shown_once_and_works_until_revoked() {
    let h = Harness::new();
    let viewer = h.session("viewer");
    let r = h
        .post_form("/account/tokens", &[("name", "weekly script")], &viewer)
        .await;
    let page = if r.status.is_redirection() {
        h.get(&r.header("location"), Some(&viewer)).await.text()
    } else {
        r.text()
    };
    let secret = page
        .split("id=\"token-secret\">")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .expect("the new token is shown")
        .to_owned();
    assert!(secret.starts_with("kzt_"));
    assert_eq!(
        h.get_with_token("/api/v1/stats", &secret).await.status,
        StatusCode::OK
    );
    // Shown once: the account page does not show it again.
    assert!(
        !h.get("/account", Some(&viewer))
            .await
            .text()
            .contains(&secret)
    );
    // A token cannot reach the account's own pages to mint more tokens or change passwords.
    for path in ["/account/tokens", "/account/password"] {
        let r = axum::http::Request::post(path)
            .header(
                axum::http::header::AUTHORIZATION,
                format!("Bearer {secret}"),
            )
            .header(
                axum::http::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .body(axum::body::Body::from(
                "name=more&current=x&new=y&confirm=y",
            ))
            .expect("request");
        assert_eq!(h.send(r).await.status, StatusCode::FORBIDDEN, "{path}");
    }
    // Revoked from the browser session, the token stops working.
    let user = h
        .state
        .accounts
        .authenticate("viewer", common::PASSWORD)
        .expect("accounts")
        .expect("user");
    let token_id = h.state.accounts.api_tokens(user.id).expect("tokens")[0].id;
    let r = h
        .post_form(&format!("/account/tokens/{token_id}/revoke"), &[], &viewer)
        .await;
    assert!(
        r.status.is_redirection() || r.status == StatusCode::OK,
        "{}",
        r.status
    );
    assert_eq!(
        h.get_with_token("/api/v1/stats", &secret).await.status,
        StatusCode::UNAUTHORIZED
    );
}

/// Ids a section of the review page links to.
fn section_ids(html: &str, section: &str) -> Vec<i64> {
    let start = html
        .find(&format!("<section id=\"{section}\""))
        .expect("section");
    let rest = &html[start..];
    let end = rest.find("</section>").expect("section end");
    rest[..end]
        .split("href=\"/messages/")
        .skip(1)
        .filter_map(|r| r.split(['"', '?']).next())
        .filter_map(|id| id.parse().ok())
        .collect()
}

#[tokio::test]
async fn an_ad_whose_facts_contradict_its_category_is_listed_with_its_reasons() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("ad.txt");
    // Invented: an "ordinary" vacancy that names the Ministry of Defence and a contract.
    std::fs::write(
        &file,
        "Работа на складе. Контракт с Минобороны, выплата 195 000 руб. Звонить +7 999 555 01 43",
    )
    .expect("write");
    let h = Harness::with_files(&[file]);
    let analyst = h.session("analyst");
    // Make the engine's decision the confident mistake of the issue: "Other", an ad, with
    // the organisation among its facts.
    let mut store = kuzot_store::Store::open(&h.data_dir()).expect("store");
    let mut ids = Vec::new();
    store
        .for_each_document(&kuzot_store::DocumentFilter::default(), &mut |d| {
            ids.push(d.id);
            Ok(())
        })
        .expect("documents");
    let id = ids[0];
    let mut a = store
        .analysis_of(id)
        .expect("read")
        .expect("analysed")
        .analysis;
    a.category = Category::Other;
    a.genre = Some(kuzot_model::Genre::Ad);
    a.facts.orgs = vec![kuzot_model::Org::MinistryOfDefence];
    a.scores = vec![0.02; Category::ALL.len()];
    a.scores[Category::Other.index()] = 0.88;
    store.save_analyses(&[(id, a)]).expect("save");
    kuzot_service::follow_index(&h.state.index, &store).expect("index follows");

    let page = h.get("/review", Some(&analyst)).await.text();
    assert_eq!(section_ids(&page, "contradictions"), [id], "{page}");
    assert!(page.contains("names Ministry of Defence"), "{page}");
    assert!(
        page.contains("href=\"/search?category=other&#38;genre=ad&#38;org=ministry_of_defence\""),
        "{page}"
    );
    // The scores are explained in words on the page, not only in hover titles.
    assert!(page.contains("Confidence is the share of the engine"));
    assert!(page.contains("a negative weight speaks against"));
    // A confident decision outside the risk categories: in the spot check, the same for
    // the same sample number.
    let spot = section_ids(&page, "spot-check");
    assert_eq!(spot, [id]);
    let sample = h.get("/review?sample=12", Some(&analyst)).await.text();
    assert!(sample.contains("sample 12"));
    assert_eq!(section_ids(&sample, "spot-check"), [id]);

    // The message page lists the cues in words.
    let message = h
        .get(&format!("/messages/{id}"), Some(&analyst))
        .await
        .text();
    assert!(message.contains("Why the engine decided"));

    // A label takes it off both lists.
    let r = h
        .post_form(
            &format!("/messages/{id}/label"),
            &[("category", "military_contract")],
            &analyst,
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let page = h.get("/review", Some(&analyst)).await.text();
    assert!(section_ids(&page, "contradictions").is_empty());
    assert!(section_ids(&page, "spot-check").is_empty());
}
