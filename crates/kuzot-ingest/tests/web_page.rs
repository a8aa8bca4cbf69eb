//! The saved-web-page reader on news and vacancy pages with their site furniture.

use std::path::Path;

use kuzot_ingest::{CollectingSink, ReadError, web_page};
use kuzot_model::{DocumentKind, RawDocument, SourceFormat};
use proptest::prelude::*;
use time::macros::datetime;

fn fixture(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/web")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn read(bytes: &[u8]) -> Result<CollectingSink, ReadError> {
    let mut sink = CollectingSink::default();
    web_page::read(bytes, &mut sink).map(|()| sink)
}

fn page(bytes: &[u8]) -> RawDocument {
    match read(bytes) {
        Ok(mut sink) => {
            assert_eq!(sink.documents.len(), 1);
            assert!(sink.rejected.is_empty());
            sink.documents.remove(0)
        }
        Err(e) => panic!("expected a readable page, got: {e}"),
    }
}

fn not_this_format(bytes: &[u8]) -> String {
    match read(bytes) {
        Err(ReadError::NotThisFormat { expected, found }) => {
            assert_eq!(expected, SourceFormat::WebPage);
            found
        }
        Err(other) => panic!("expected NotThisFormat, got {other}"),
        Ok(sink) => panic!("expected an error, got {:?}", sink.documents),
    }
}

#[test]
fn news_article_text_without_furniture() {
    let doc = page(&fixture("article.html"));
    assert_eq!(doc.kind, DocumentKind::WebPage);
    assert_eq!(
        doc.text,
        "«Охрана» на 170 тысяч: как мигрантов зовут на контракт\n\
         Текст: Айгерим Садыкова · 12 марта 2024\n\
         В чатах трудовых мигрантов из Кыргызстана снова появились объявления о работе \
         «охранником» с зарплатой от 170 000 рублей. На деле, как выяснила редакция, речь \
         идёт о контракте с Министерством обороны.\n\
         Объявления обещают «вахту 60/30», бесплатное питание и упрощённое гражданство \
         «для всей семьи».\n\
         Телефон в объявлении: +7 999 000-00-02.\n\
         Плакат у миграционного центра (фото редакции)\n\
         Что говорят юристы\n\
         Участие в вооружённом конфликте на территории другого государства по закону \
         Кыргызстана уголовно наказуемо.\n\
         Не подписывайте документы, которые не можете прочитать.\n\
         Не отдавайте паспорт работодателю.\n\
         Обещано 170 000 ₽\n\
         Реально контракт\n\
         Эта часть не меню: её надо сохранить."
    );
}

#[test]
fn news_article_metadata() {
    let doc = page(&fixture("article.html"));
    assert_eq!(
        doc.title.as_deref(),
        Some("«Охрана» на 170 тысяч: как мигрантов зовут на контракт — Чуй-Медиа")
    );
    // The canonical link wins over og:url with its tracking parameter.
    assert_eq!(
        doc.url.as_deref(),
        Some("https://chui-media.example/news/2024/03/ohrana")
    );
    assert_eq!(doc.time, Some(datetime!(2024-03-12 03:30:00 UTC)));
    assert_eq!(doc.author.name, None);
    assert_eq!(doc.position.index, 0);
}

#[test]
fn nothing_from_scripts_menus_comments_or_footers() {
    let doc = page(&fixture("article.html"));
    for unwanted in [
        "НЕ ДОЛЖНО",
        "cookies",
        "Новости",
        "Главная",
        "Telegram",
        "Аноним",
        "Популярное",
        "Теги",
        "©",
        "JavaScript",
        "font-family",
    ] {
        assert!(
            !doc.text.contains(unwanted),
            "{unwanted:?} leaked into the text"
        );
    }
}

#[test]
fn windows_1251_page_is_decoded() {
    let bytes = fixture("vacancy_cp1251.html");
    assert!(
        std::str::from_utf8(&bytes).is_err(),
        "the fixture is not UTF-8"
    );
    let doc = page(&bytes);
    assert_eq!(
        doc.title.as_deref(),
        Some("Вакансия: разнорабочий на восстановление, Мариуполь — Работа-Юг")
    );
    assert_eq!(
        doc.text,
        "Разнорабочий (вахта 60/30)\n\
         Опубликовано 10 марта\n\
         Строительная компания набирает разнорабочих на восстановление жилых домов. \
         Зарплата 95 000 – 115 000 руб. в месяц, проживание в общежитии, билеты за счёт компании.\n\
         Граждане Узбекистана, Таджикистана, Кыргызстана. Звонить: +7 999 000-00-03"
    );
    assert_eq!(doc.time, Some(datetime!(2024-03-10 00:00:00 UTC)));
    assert_eq!(doc.url, None);
}

#[test]
fn koi8_r_page_is_decoded() {
    let html = "<html><head><meta charset=\"koi8-r\"><title>Работа в Москве</title></head>\
                <body><p>Требуются грузчики, оплата ежедневно.</p></body></html>";
    let (bytes, _, unmappable) = encoding_rs::KOI8_R.encode(html);
    assert!(!unmappable);
    let doc = page(&bytes);
    assert_eq!(doc.title.as_deref(), Some("Работа в Москве"));
    assert_eq!(doc.text, "Требуются грузчики, оплата ежедневно.");
}

#[test]
fn undeclared_legacy_bytes_are_taken_as_windows_1251() {
    let (bytes, _, _) =
        encoding_rs::WINDOWS_1251.encode("<p>Вахта в Белгородской области, 300 руб/час</p>");
    assert_eq!(
        page(&bytes).text,
        "Вахта в Белгородской области, 300 руб/час"
    );
}

#[test]
fn utf8_wins_over_a_stale_declaration() {
    let html = "<meta charset=windows-1251><title>Жумуш</title><p>Иш бар, үй бар.</p>";
    let doc = page(html.as_bytes());
    assert_eq!(doc.title.as_deref(), Some("Жумуш"));
    assert_eq!(doc.text, "Иш бар, үй бар.");
}

#[test]
fn utf16_page_with_bom_is_decoded() {
    let mut bytes = vec![0xFF, 0xFE];
    for unit in "<html><body><p>Ишга ёллаш</p></body></html>".encode_utf16() {
        bytes.extend(unit.to_le_bytes());
    }
    assert_eq!(page(&bytes).text, "Ишга ёллаш");
}

#[test]
fn page_without_article_uses_the_body() {
    let doc = page(&fixture("body_only.html"));
    assert_eq!(
        doc.title.as_deref(),
        Some("Jobs in Russia: what the posters do not tell you")
    );
    assert_eq!(
        doc.url.as_deref(),
        Some("https://workers-rights.example/guides/posters")
    );
    assert_eq!(doc.time, None);
    assert_eq!(
        doc.text,
        "Jobs in Russia: what the posters do not tell you\n\
         Posters at the migration centre promise 195,000 roubles on signing.\n\
         They do not say that the \"security guard\" job is a military contract.\n\
         Ask for the contract in a language you read,\n\
         and keep a copy."
    );
}

#[test]
fn article_body_is_preferred() {
    let html = r#"<html><body><article><h1>Headline</h1>
        <div itemprop="articleBody"><p>Only this.</p></div><p>Related: other news</p></article></body></html>"#;
    assert_eq!(page(html.as_bytes()).text, "Only this.");
}

#[test]
fn longest_article_is_taken() {
    let html = r#"<body><article><p>Short teaser</p></article>
        <article><p>The full story about the recruitment office at the migration centre.</p></article>
        <article><p>Another teaser</p></article></body>"#;
    assert_eq!(
        page(html.as_bytes()).text,
        "The full story about the recruitment office at the migration centre."
    );
}

#[test]
fn site_header_is_dropped_when_there_is_no_article() {
    let html =
        r#"<body><header><h1>Site name</h1></header><main><p>Vacancy text</p></main></body>"#;
    assert_eq!(page(html.as_bytes()).text, "Vacancy text");
    let html =
        r#"<body><header>Site name</header><div><p>Text</p></div><div hidden>secret</div></body>"#;
    assert_eq!(page(html.as_bytes()).text, "Text");
}

#[test]
fn page_wide_wrapper_with_a_furniture_name_does_not_hide_the_page() {
    let html = r#"<body><div class="layout has-sidebar"><nav>Menu</nav><p>Vacancy text</p>
        <script>x()</script></div></body>"#;
    assert_eq!(page(html.as_bytes()).text, "Vacancy text");
}

#[test]
fn empty_main_falls_back_to_the_body() {
    let html = r#"<body><main></main><div><p>Loaded without scripts</p></div></body>"#;
    assert_eq!(page(html.as_bytes()).text, "Loaded without scripts");
}

#[test]
fn time_element_when_there_is_no_meta() {
    let html =
        r#"<article><time datetime="2024-03-12 14:05:00+0300">вчера</time><p>x</p></article>"#;
    assert_eq!(
        page(html.as_bytes()).time,
        Some(datetime!(2024-03-12 11:05:00 UTC))
    );
    let html = r#"<article><time datetime="скоро">скоро</time><p>x</p></article>"#;
    assert_eq!(page(html.as_bytes()).time, None);
}

#[test]
fn text_without_html_is_not_a_page() {
    let found = not_this_format(&fixture("notes.txt"));
    assert!(found.contains("no HTML tags"), "{found}");
    assert!(found.contains("Заметки по делу"), "{found}");
    assert!(not_this_format(b"").contains("no HTML tags"));
    let found = not_this_format(b"{\"text\": \"<b>not a page</b>\"}");
    assert!(found.contains("no HTML tags"), "{found}");
}

#[test]
fn page_with_no_text_is_not_a_document() {
    let found = not_this_format(b"<html><head><script>x()</script></head><body></body></html>");
    assert!(found.contains("no readable text"), "{found}");
}

#[test]
fn title_alone_is_kept() {
    let doc = page(b"<html><head><title>Only a title</title></head><body></body></html>");
    assert_eq!(doc.title.as_deref(), Some("Only a title"));
    assert_eq!(doc.text, "");
}

#[test]
fn deeply_nested_page_is_refused_without_overflow_or_quadratic_parsing() {
    let mut html = String::from("<html><body>");
    html.push_str(&"<div>".repeat(20_000));
    html.push_str("bottom");
    html.push_str(&"<nav>".repeat(1_000));
    html.push_str("menu");
    // The HTML parser would take time growing with the square of the depth: refused first.
    let found = not_this_format(html.as_bytes());
    assert!(found.contains("nested deeper than 512"), "{found}");
    // Nesting as deep as real pages have still reads, navigation left out.
    let mut shallow = String::from("<html><body>");
    shallow.push_str(&"<div>".repeat(200));
    shallow.push_str("bottom");
    shallow.push_str(&"<nav>".repeat(100));
    shallow.push_str("menu");
    assert_eq!(page(shallow.as_bytes()).text, "bottom");
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
        let _ = read(&bytes);
    }

    #[test]
    fn arbitrary_markup_never_panics(body in "(<[a-z]{1,8}( (class|id|itemprop|hidden)=\"[a-zA-Z -]{0,12}\")?>|</[a-z]{1,8}>|[^<]{0,20}){0,60}") {
        let html = format!("<html><body>{body}</body></html>");
        let _ = read(html.as_bytes());
    }

    #[test]
    fn arbitrary_meta_values_never_panic(time in "[^\"<>]{0,40}", charset in "[a-zA-Z0-9 _:-]{0,20}") {
        let html = format!(
            "<html><head><meta charset=\"{charset}\"><meta property=\"article:published_time\" content=\"{time}\"></head><body><time datetime=\"{time}\">t</time><p>x</p></body></html>"
        );
        let doc = page(html.as_bytes());
        prop_assert!(doc.text.contains('x'));
    }
}

#[test]
fn readme_example_page_reads_cleanly() {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/web/sakharovo_leaflets.html");
    let doc = page(&std::fs::read(path).expect("example exists"));
    assert_eq!(
        doc.url.as_deref(),
        Some("https://vestnik-alatoo.example/society/2024/04/listovki")
    );
    assert_eq!(doc.time, Some(datetime!(2024-04-15 04:20:00 UTC)));
    assert!(
        doc.text.starts_with("Листовки на трёх языках"),
        "{}",
        doc.text
    );
    assert!(
        doc.text.contains("195 000 рублей при подписании"),
        "{}",
        doc.text
    );
    assert!(doc.text.contains("\n«Мне сказали"), "{}", doc.text);
    for unwanted in [
        "cookie",
        "Политика",
        "Поделиться",
        "Теги",
        "Читайте также",
        "Гость",
        "©",
    ] {
        assert!(
            !doc.text.contains(unwanted),
            "{unwanted:?} leaked into the text"
        );
    }
}
