//! The engine end to end on realistic messages written for these tests (not taken from
//! any labelled set): one or more per category and language, negative controls (news and
//! warnings about recruitment), and the prediction-line schema.

use std::sync::LazyLock;

use kuzot_analysis::{Engine, prediction_json};
use kuzot_model::Category;

static ENGINE: LazyLock<Engine> = LazyLock::new(Engine::new);

fn category(text: &str) -> Category {
    ENGINE.analyze(text).category
}

#[test]
fn open_military_recruitment_in_several_languages() {
    let cases = [
        "Служба по контракту в Министерстве обороны! Единовременная выплата 400 000 руб., денежное довольствие от 210 000 руб. Пункт отбора: ул. Садовая, 5. Тел. 8 800 555 00 11",
        "Орусиянын армиясына келишим менен аскердик кызматка чакырабыз. Айлык 210 миң рубль. Чалгыла: +7 926 000 11 22",
        "Rossiya armiyasiga shartnoma bilan xizmatga qabul qilamiz. Oylik 215 ming rubl. Tel: +7 977 310 42 18",
        "Артиши Русия ба хизмат бо шартнома даъват мекунад. Маош 215 000 рубл. Тел: +7 916 310 42 18",
        "Ресей армиясына келісімшартпен қызметке шақырамыз. Айлық 215 000 рубль. Тел: +7 701 310 42 18",
        "Join the Russian army: contract military service, 210,000 RUB a month, sign-on bonus. Call +7 900 000 11 22",
    ];
    for text in cases {
        assert_eq!(category(text), Category::MilitaryContract, "{text}");
    }
}

#[test]
fn private_military_companies_and_prisoners() {
    assert_eq!(
        category(
            "ЧВК набирает бойцов. Оплата от 250 000 руб. Судимость не помеха. Пиши в личку @nabor_pmc"
        ),
        Category::Pmc
    );
    assert_eq!(
        category(
            "Оркестр ищет музыкантов 🎻 Контракт на полгода, 240 тыс. в месяц. Звоните 8 900 604 71 58"
        ),
        Category::Pmc
    );
    // A PMC employer wins over the civilian title.
    assert_eq!(
        category(
            "Ищем охранников для работы за границей. Наниматель — ЧВК «Редут», оплата 280 тыс. в месяц, снаряжение выдаём. Пишите @ohrana_job"
        ),
        Category::Pmc
    );
}

#[test]
fn civilian_titles_with_military_markers_are_disguised() {
    assert_eq!(
        category(
            "Слесарь-механик на ремонт грузовиков, зона СВО. Доход 230 000 ₽ в месяц, статус ветерана боевых действий, компенсация при ранении. Звоните 8 905 318 40 27"
        ),
        Category::DisguisedMilitary
    );
    assert_eq!(
        category(
            "Ашпозчу керек, СВО аймагына. Маяна 230 миң рубль, жарадар болгондо 2 млн рубль берилет. Тел +996 770 41 52 63"
        ),
        Category::DisguisedMilitary
    );
    assert_eq!(
        category(
            "Haydovchi kerak, MHO hududiga. Maosh 230 000 rubl, jangovar harakatlar faxriysi maqomi va sug'urta. Tel +7 968 410 27 35"
        ),
        Category::DisguisedMilitary
    );
}

#[test]
fn front_line_labour_wins_over_reconstruction() {
    assert_eq!(
        category(
            "Рытьё окопов и блиндажей под Белгородом, 4200 руб за смену, трёхразовое питание. Тел 8 980 531 27 64"
        ),
        Category::FrontlineLabour
    );
    assert_eq!(
        category(
            "Workers needed for building defensive lines and digging trenches in the Kursk region, 350 roubles per hour. Phone +7 900 418 26 37"
        ),
        Category::FrontlineLabour
    );
}

#[test]
fn civilian_work_in_occupied_places() {
    assert_eq!(
        category(
            "Мариуполь: требуются штукатуры и маляры на восстановление домов. 110 000 руб/мес, общежитие. Тел 8 949 000 00 00"
        ),
        Category::OccupiedReconstruction
    );
    assert_eq!(
        category(
            "Mariupolga qurilish ishchilari kerak, oylik 100 000 rubl, yotoqxona bepul. Tel +7 977 000 00 00"
        ),
        Category::OccupiedReconstruction
    );
}

#[test]
fn ordinary_jobs() {
    assert_eq!(
        category(
            "Требуются грузчики на склад в Москве, 3500 руб за смену, оплата ежедневно. Тел 8 926 000 00 00"
        ),
        Category::JobOther
    );
    assert_eq!(
        category(
            "Охранник на автостоянку в Химках, сутки через трое, 2800 руб. за сутки, нужно удостоверение ЧОП. Тел +7 495 000 00 00"
        ),
        Category::JobOther
    );
    assert_eq!(
        category("Ошто наабайканага нан бышыруучу керек, айлык 30 000 сом. Тел +996 555 00 00 00"),
        Category::JobOther
    );
}

#[test]
fn news_warnings_questions_and_services_are_other() {
    let cases = [
        "В центре миграции «Сахарово» теперь принимают желающих заключить контракт с армией, пишут СМИ.",
        "Будьте внимательны: за вакансиями сторожа с окладом в 250 тысяч часто прячут отправку на фронт.",
        "Ребята, кто знает, как продлить патент, если просрочил?",
        "Сдам комнату на двоих в Люблино, 9000 руб с человека, тел 8 999 000 00 00",
        "The court sentenced a man to 10 years for fighting as a mercenary, media reported.",
        "",
    ];
    for text in cases {
        assert_eq!(category(text), Category::Other, "{text}");
    }
}

#[test]
fn cue_spans_point_into_the_original_text() {
    let text = "🔥 Baгнер НАБИРАЕТ 🔥 240 000 руб. Звони +7 900 318 27 46";
    let analysis = ENGINE.analyze(text);
    assert_eq!(analysis.category, Category::Pmc);
    let wagner = analysis
        .cues
        .iter()
        .find(|c| c.category == Category::Pmc)
        .and_then(|c| c.span)
        .expect("a PMC cue with a span");
    assert_eq!(&text[wagner.start..wagner.end], "Baгнер");
}

#[test]
fn prediction_lines_carry_the_guide_fields() {
    let analysis = ENGINE.analyze("Контракт с Минобороны, 215 000 ₽ в месяц. Пишите +79991112233");
    let line = prediction_json(&analysis, "t1");
    assert_eq!(line["id"], "t1");
    assert_eq!(line["category"], "military_contract");
    assert_eq!(line["lang"], "ru");
    assert_eq!(line["script"], "Cyrl");
    for key in ["money", "places", "phones", "orgs", "promises"] {
        assert!(line["facts"][key].is_array(), "{key}");
    }
    let total: f64 = line["scores"]
        .as_object()
        .expect("scores by category")
        .values()
        .filter_map(|v| v.as_f64())
        .sum();
    assert!((total - 1.0).abs() < 0.01);
}
