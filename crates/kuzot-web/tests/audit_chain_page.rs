//! The admin audit page says in one line, in the reader's language, whether the audit
//! log's hash chain is intact or where it breaks after an entry was edited by hand.

mod common;

use axum::body::Body;
use axum::http::{Request, header};
use common::{Harness, Session};

async fn audit_page(h: &Harness, admin: &Session, lang: &str) -> String {
    let request = Request::get("/admin/audit")
        .header(
            header::COOKIE,
            format!("kuzot_session={}; kuzot_lang={lang}", admin.cookie),
        )
        .body(Body::empty())
        .expect("request");
    h.send(request).await.text()
}

#[tokio::test]
async fn the_audit_page_shows_the_chain_intact_then_broken_at_the_edited_entry() {
    let h = Harness::new();
    let admin = h.session("admin");
    for i in 0..3 {
        h.state
            .accounts
            .audit("admin", "label", &format!("document {i}"))
            .expect("audit");
    }
    let entries = h.state.accounts.audit_log(1000).expect("log").len();
    let second = h.state.accounts.audit_log(1000).expect("log")[entries - 2].id;
    for (lang, intact) in [
        ("en", format!("Hash chain intact: {entries} entries")),
        ("ru", format!("Цепочка хешей цела: записей — {entries}")),
        ("ky", format!("Хэш чынжыры бүтүн: жазуулар — {entries}")),
    ] {
        let page = audit_page(&h, &admin, lang).await;
        assert!(page.contains(&intact), "{lang}: {page}");
        assert!(
            !page.contains("audit-chain-intact"),
            "{lang}: a message id shown"
        );
    }

    let conn = rusqlite::Connection::open(h.data_dir().join("accounts.db")).expect("open");
    conn.execute(
        "UPDATE audit_log SET detail = 'document 7' WHERE id = ?1",
        [second],
    )
    .expect("edit");
    for (lang, broken) in [
        ("en", format!("Hash chain broken at entry {second}")),
        ("ru", format!("нарушена на записи № {second}")),
        ("ky", format!("№ {second} жазууда бузулган")),
    ] {
        let page = audit_page(&h, &admin, lang).await;
        assert!(page.contains(&broken), "{lang}: {page}");
        assert!(
            page.contains("audit-chain error"),
            "{lang}: shown as an error"
        );
    }
}
