//! The fictional example survey: an XLSForm in Kyrgyz, Russian and English, and 65 invented
//! responses written as a KoboToolbox-style CSV export and an ODK-Central-style CSV export.
//! Shared by `cargo run -p kuzot-survey --example make_example_survey` (which writes the
//! committed files) and the test that checks they are up to date.
//!
//! Everything here is invented: participant codes, answers, comments and coordinates.

#![allow(dead_code)]

use std::path::Path;

use rust_xlsxwriter::{Workbook, XlsxError};

/// The committed files, relative to the crate.
pub const EXAMPLE_DIR: &str = "example-survey";
/// The questionnaire.
pub const FORM_FILE: &str = "questionnaire.xlsx";
/// The Kobo-style export.
pub const KOBO_FILE: &str = "responses-kobo.csv";
/// The ODK-Central-style export.
pub const ODK_FILE: &str = "responses-odk.csv";
/// Responses generated.
pub const RESPONSES: usize = 65;

const LANGUAGES: [&str; 3] = [
    "label::Kyrgyz (ky)",
    "label::Русский (ru)",
    "label::English (en)",
];

/// (type, name, [ky, ru, en], required, relevant, calculation)
type SurveyRow = (
    &'static str,
    &'static str,
    [&'static str; 3],
    bool,
    &'static str,
    &'static str,
);

const SURVEY: &[SurveyRow] = &[
    (
        "note",
        "intro",
        [
            "Бул сурамжылоо жашыруун, атыңыз жазылбайт.",
            "Опрос анонимный, имя не записывается.",
            "This survey is anonymous; no name is recorded.",
        ],
        false,
        "",
        "",
    ),
    (
        "begin group",
        "respondent",
        ["Сиз жөнүндө", "О вас", "About you"],
        false,
        "",
        "",
    ),
    (
        "text",
        "participant_id",
        ["Катышуучунун коду", "Код участника", "Participant code"],
        true,
        "",
        "",
    ),
    (
        "select_one sex",
        "sex",
        ["Жынысыңыз", "Ваш пол", "Sex"],
        true,
        "",
        "",
    ),
    (
        "select_one age_group",
        "age_group",
        ["Жаш курагыңыз", "Возрастная группа", "Age group"],
        true,
        "",
        "",
    ),
    (
        "select_one region",
        "region",
        [
            "Кайсы облустан келдиңиз?",
            "Из какой вы области?",
            "Region of origin",
        ],
        true,
        "",
        "",
    ),
    (
        "select_one citizenship",
        "citizenship",
        ["Жарандыгыңыз", "Ваше гражданство", "Citizenship"],
        true,
        "",
        "",
    ),
    (
        "date",
        "interview_date",
        ["Маектин күнү", "Дата интервью", "Interview date"],
        true,
        "",
        "",
    ),
    ("end group", "", ["", "", ""], false, "", ""),
    (
        "begin group",
        "work",
        [
            "Иш жана сунуштар",
            "Работа и предложения",
            "Work and offers",
        ],
        false,
        "",
        "",
    ),
    (
        "integer",
        "years_in_russia",
        [
            "Россияда канча жыл иштедиңиз?",
            "Сколько лет вы работаете в России?",
            "Years working in Russia",
        ],
        false,
        "",
        "",
    ),
    (
        "decimal",
        "monthly_income",
        [
            "Айлык кирешеңиз (миң рубль)",
            "Ежемесячный доход (тыс. руб.)",
            "Monthly income (thousand roubles)",
        ],
        false,
        "",
        "",
    ),
    (
        "select_one yes_no_dk",
        "offered_military",
        [
            "Сизге аскердик жумуш сунушталганбы?",
            "Вам предлагали военную работу?",
            "Were you offered military work?",
        ],
        true,
        "",
        "",
    ),
    (
        "select_multiple channels",
        "seen_channels",
        [
            "Мындай сунуштарды кайдан көрдүңүз?",
            "Где вы видели такие предложения?",
            "Where have you seen such offers?",
        ],
        true,
        "",
        "",
    ),
    (
        "select_one yes_no_dk",
        "offer_accepted",
        [
            "Сунушту кабыл алдыңызбы?",
            "Вы приняли предложение?",
            "Did you accept the offer?",
        ],
        false,
        "${offered_military} = 'yes'",
        "",
    ),
    (
        "select_one yes_no_dk",
        "knows_law",
        [
            "Жалданма аскерлик жөнүндө мыйзамды билесизби?",
            "Знаете ли вы закон о наёмничестве?",
            "Do you know the law on mercenarism?",
        ],
        true,
        "",
        "",
    ),
    ("end group", "", ["", "", ""], false, "", ""),
    (
        "geopoint",
        "location",
        ["Маек өткөн жер", "Место интервью", "Interview location"],
        false,
        "",
        "",
    ),
    (
        "calculate",
        "design_weight",
        ["", "", ""],
        false,
        "",
        "if(${region} = 'bishkek', 0.8, 1.2)",
    ),
    (
        "text",
        "comments",
        ["Кошумча пикирлер", "Дополнительные комментарии", "Comments"],
        false,
        "",
        "",
    ),
    (
        "note",
        "thanks",
        ["Рахмат!", "Спасибо!", "Thank you!"],
        false,
        "",
        "",
    ),
];

/// (list, name, [ky, ru, en])
const CHOICES: &[(&str, &str, [&str; 3])] = &[
    ("sex", "male", ["Эркек", "Мужской", "Male"]),
    ("sex", "female", ["Аял", "Женский", "Female"]),
    ("age_group", "18_24", ["18–24", "18–24", "18–24"]),
    ("age_group", "25_34", ["25–34", "25–34", "25–34"]),
    ("age_group", "35_44", ["35–44", "35–44", "35–44"]),
    (
        "age_group",
        "45_plus",
        ["45 жана андан улуу", "45 и старше", "45 and older"],
    ),
    (
        "region",
        "batken",
        ["Баткен облусу", "Баткенская область", "Batken Region"],
    ),
    (
        "region",
        "jalal_abad",
        [
            "Жалал-Абад облусу",
            "Джалал-Абадская область",
            "Jalal-Abad Region",
        ],
    ),
    (
        "region",
        "issyk_kul",
        [
            "Ысык-Көл облусу",
            "Иссык-Кульская область",
            "Issyk-Kul Region",
        ],
    ),
    (
        "region",
        "naryn",
        ["Нарын облусу", "Нарынская область", "Naryn Region"],
    ),
    (
        "region",
        "osh",
        ["Ош облусу", "Ошская область", "Osh Region"],
    ),
    (
        "region",
        "talas",
        ["Талас облусу", "Таласская область", "Talas Region"],
    ),
    (
        "region",
        "chui",
        ["Чүй облусу", "Чуйская область", "Chüy Region"],
    ),
    (
        "region",
        "bishkek",
        ["Бишкек шаары", "город Бишкек", "Bishkek city"],
    ),
    (
        "citizenship",
        "kg",
        [
            "Кыргыз Республикасы",
            "Кыргызская Республика",
            "Kyrgyz Republic",
        ],
    ),
    (
        "citizenship",
        "kg_ru",
        [
            "Кыргызстан жана Россия (кош жарандык)",
            "Кыргызстан и Россия (двойное)",
            "Kyrgyzstan and Russia (dual)",
        ],
    ),
    (
        "citizenship",
        "ru",
        [
            "Россия Федерациясы",
            "Российская Федерация",
            "Russian Federation",
        ],
    ),
    ("citizenship", "other", ["Башка", "Другое", "Other"]),
    ("yes_no_dk", "yes", ["Ооба", "Да", "Yes"]),
    ("yes_no_dk", "no", ["Жок", "Нет", "No"]),
    (
        "yes_no_dk",
        "dont_know",
        ["Билбейм", "Не знаю", "Don't know"],
    ),
    (
        "yes_no_dk",
        "refused",
        ["Жооп бергим келбейт", "Отказ от ответа", "Refused"],
    ),
    ("channels", "telegram", ["Telegram", "Telegram", "Telegram"]),
    ("channels", "whatsapp", ["WhatsApp", "WhatsApp", "WhatsApp"]),
    ("channels", "vk", ["ВКонтакте", "ВКонтакте", "VKontakte"]),
    ("channels", "tiktok", ["TikTok", "TikTok", "TikTok"]),
    (
        "channels",
        "acquaintances",
        ["Тааныштарымдан", "От знакомых", "From acquaintances"],
    ),
    (
        "channels",
        "employer",
        ["Иш берүүчүдөн", "От работодателя", "From an employer"],
    ),
    ("channels", "nowhere", ["Эч жерден", "Нигде", "Nowhere"]),
];

/// The XLSForm as XLSX bytes.
pub fn questionnaire_xlsx() -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let survey = workbook.add_worksheet();
    survey.set_name("survey")?;
    let header = [
        "type",
        "name",
        LANGUAGES[0],
        LANGUAGES[1],
        LANGUAGES[2],
        "required",
        "relevant",
        "calculation",
    ];
    for (c, h) in header.iter().enumerate() {
        survey.write_string(0, c as u16, *h)?;
    }
    for (r, (kind, name, labels, required, relevant, calculation)) in SURVEY.iter().enumerate() {
        let r = r as u32 + 1;
        survey.write_string(r, 0, *kind)?;
        let cells = [
            *name,
            labels[0],
            labels[1],
            labels[2],
            if *required { "yes" } else { "" },
            relevant,
            calculation,
        ];
        for (c, text) in cells.iter().enumerate() {
            if !text.is_empty() {
                survey.write_string(r, c as u16 + 1, *text)?;
            }
        }
    }
    let choices = workbook.add_worksheet();
    choices.set_name("choices")?;
    for (c, h) in [
        "list_name",
        "name",
        LANGUAGES[0],
        LANGUAGES[1],
        LANGUAGES[2],
    ]
    .iter()
    .enumerate()
    {
        choices.write_string(0, c as u16, *h)?;
    }
    for (r, (list, name, labels)) in CHOICES.iter().enumerate() {
        let r = r as u32 + 1;
        for (c, text) in [*list, *name, labels[0], labels[1], labels[2]]
            .iter()
            .enumerate()
        {
            choices.write_string(r, c as u16, *text)?;
        }
    }
    let settings = workbook.add_worksheet();
    settings.set_name("settings")?;
    let pairs = [
        ("form_title", "Migrant work survey (fictional example)"),
        ("form_id", "kuzot_example_survey"),
        ("version", "2026-01"),
        ("default_language", "English (en)"),
    ];
    for (c, (key, value)) in pairs.iter().enumerate() {
        settings.write_string(0, c as u16, *key)?;
        settings.write_string(1, c as u16, *value)?;
    }
    workbook.save_to_buffer()
}

/// SplitMix64: the same invented answers on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

/// One invented response, as export text.
#[derive(Debug, Clone)]
pub struct ExampleResponse {
    pub uuid: String,
    pub submitted: String,
    pub participant_id: String,
    pub sex: &'static str,
    pub age_group: &'static str,
    pub region: &'static str,
    pub citizenship: &'static str,
    pub interview_date: String,
    pub years_in_russia: String,
    pub monthly_income: String,
    pub offered_military: &'static str,
    pub seen_channels: Vec<&'static str>,
    pub offer_accepted: &'static str,
    pub knows_law: &'static str,
    /// latitude, longitude, altitude, accuracy as text (empty when not taken).
    pub location: Option<[String; 4]>,
    pub design_weight: &'static str,
    pub comments: &'static str,
}

const CHANNEL_ORDER: [&str; 7] = [
    "telegram",
    "whatsapp",
    "vk",
    "tiktok",
    "acquaintances",
    "employer",
    "nowhere",
];

const COMMENTS: [&str; 4] = [
    "Маек жумуштан кийин болду.",
    "Торопился на смену, ответил кратко.",
    "Asked twice about the consent form.",
    "Досу менен келди.",
];

/// The 65 invented responses.
pub fn example_responses() -> Vec<ExampleResponse> {
    let mut rng = Rng(20_260_115);
    (0..RESPONSES)
        .map(|i| {
            let uuid = format!(
                "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
                rng.next() as u32,
                rng.next() as u16,
                rng.below(0x1000),
                rng.below(0x1000),
                rng.next() & 0xFFFF_FFFF_FFFF
            );
            let day = 3 + i / 5;
            let sex = if rng.chance(55) { "male" } else { "female" };
            let region = rng.pick(&[
                "batken",
                "jalal_abad",
                "issyk_kul",
                "naryn",
                "osh",
                "osh",
                "talas",
                "chui",
                "bishkek",
                "bishkek",
            ]);
            let citizenship = match rng.below(20) {
                0..=13 => "kg",
                14..=17 => "kg_ru",
                18 => "ru",
                _ => "other",
            };
            let offered_military = match (sex, rng.below(20)) {
                ("male", 0..=10) | ("female", 0..=3) => "yes",
                (_, 18) => "dont_know",
                (_, 19) => "refused",
                _ => "no",
            };
            let mut seen_channels: Vec<&str> = CHANNEL_ORDER[..6]
                .iter()
                .copied()
                .filter(|_| rng.chance(35))
                .collect();
            if seen_channels.is_empty() {
                seen_channels.push("nowhere");
            }
            let offer_accepted = if offered_military == "yes" {
                rng.pick(&["no", "no", "no", "no", "refused", "yes"])
            } else {
                ""
            };
            let location = rng.chance(60).then(|| {
                let latitude = 42.80 + rng.below(1500) as f64 / 10_000.0;
                let longitude = 74.50 + rng.below(1500) as f64 / 10_000.0;
                [
                    format!("{latitude:.4}"),
                    format!("{longitude:.4}"),
                    format!("{}", 750 + rng.below(100)),
                    format!("{}", 3 + rng.below(20)),
                ]
            });
            ExampleResponse {
                uuid,
                submitted: format!(
                    "2026-02-{:02}T{:02}:{:02}:{:02}",
                    day,
                    9 + rng.below(9),
                    rng.below(60),
                    rng.below(60)
                ),
                participant_id: format!("P{:03}", i + 1),
                sex,
                age_group: rng.pick(&["18_24", "25_34", "25_34", "35_44", "35_44", "45_plus"]),
                region,
                citizenship,
                interview_date: format!("2026-02-{day:02}"),
                years_in_russia: if rng.chance(90) {
                    (rng.below(15)).to_string()
                } else {
                    String::new()
                },
                monthly_income: if rng.chance(80) {
                    format!("{}.{}", 35 + rng.below(80), rng.below(10))
                } else {
                    String::new()
                },
                offered_military,
                seen_channels,
                offer_accepted,
                knows_law: rng.pick(&["yes", "no", "no", "no", "dont_know", "refused"]),
                location,
                design_weight: if region == "bishkek" { "0.8" } else { "1.2" },
                comments: if rng.chance(12) {
                    COMMENTS[rng.below(4) as usize]
                } else {
                    ""
                },
            }
        })
        .collect()
}

/// The responses as KoboToolbox writes a CSV export with its defaults: `;` between
/// fields, every field quoted, `group/question` headers, select_multiple both as one
/// column of codes and as split 0/1 columns, the geopoint as one column plus its parts.
pub fn kobo_csv(responses: &[ExampleResponse]) -> Vec<u8> {
    let mut header: Vec<String> = [
        "respondent/participant_id",
        "respondent/sex",
        "respondent/age_group",
        "respondent/region",
        "respondent/citizenship",
        "respondent/interview_date",
        "work/years_in_russia",
        "work/monthly_income",
        "work/offered_military",
        "work/seen_channels",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    header.extend(
        CHANNEL_ORDER
            .iter()
            .map(|c| format!("work/seen_channels/{c}")),
    );
    header.extend(
        [
            "work/offer_accepted",
            "work/knows_law",
            "location",
            "_location_latitude",
            "_location_longitude",
            "_location_altitude",
            "_location_precision",
            "design_weight",
            "comments",
            "__version__",
            "meta/instanceID",
            "_id",
            "_uuid",
            "_submission_time",
            "_validation_status",
            "_notes",
            "_status",
            "_submitted_by",
            "_tags",
            "_index",
        ]
        .iter()
        .map(|s| (*s).to_owned()),
    );
    let mut writer = csv::WriterBuilder::new()
        .delimiter(b';')
        .quote_style(csv::QuoteStyle::Always)
        .from_writer(Vec::new());
    write_record(&mut writer, &header);
    for (i, r) in responses.iter().enumerate() {
        let mut row: Vec<String> = vec![
            r.participant_id.clone(),
            r.sex.into(),
            r.age_group.into(),
            r.region.into(),
            r.citizenship.into(),
            r.interview_date.clone(),
            r.years_in_russia.clone(),
            r.monthly_income.clone(),
            r.offered_military.into(),
            r.seen_channels.join(" "),
        ];
        row.extend(CHANNEL_ORDER.iter().map(|c| {
            if r.seen_channels.contains(c) {
                "1"
            } else {
                "0"
            }
            .to_owned()
        }));
        let (point, parts) = match &r.location {
            Some(p) => (p.join(" "), p.clone()),
            None => (String::new(), Default::default()),
        };
        row.extend([r.offer_accepted.to_owned(), r.knows_law.to_owned(), point]);
        row.extend(parts);
        row.extend([
            r.design_weight.to_owned(),
            r.comments.to_owned(),
            "vExample2026".to_owned(),
            format!("uuid:{}", r.uuid),
            (410_000 + i).to_string(),
            r.uuid.clone(),
            r.submitted.clone(),
            String::new(),
            "[]".to_owned(),
            "submitted_via_web".to_owned(),
            String::new(),
            "[]".to_owned(),
            (i + 1).to_string(),
        ]);
        write_record(&mut writer, &row);
    }
    writer.into_inner().unwrap_or_default()
}

/// The responses as ODK Central writes `submissions.csv` with split select_multiple
/// columns (`splitSelectMultiples=true`), reduced to the split columns: `,` between
/// fields, `group-question` headers, the geopoint as `-Latitude`/`-Longitude`/
/// `-Altitude`/`-Accuracy` columns, `SubmissionDate` first and `KEY` after the fields.
pub fn odk_csv(responses: &[ExampleResponse]) -> Vec<u8> {
    let mut header: Vec<String> = [
        "SubmissionDate",
        "respondent-participant_id",
        "respondent-sex",
        "respondent-age_group",
        "respondent-region",
        "respondent-citizenship",
        "respondent-interview_date",
        "work-years_in_russia",
        "work-monthly_income",
        "work-offered_military",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    header.extend(
        CHANNEL_ORDER
            .iter()
            .map(|c| format!("work-seen_channels/{c}")),
    );
    header.extend(
        [
            "work-offer_accepted",
            "work-knows_law",
            "location-Latitude",
            "location-Longitude",
            "location-Altitude",
            "location-Accuracy",
            "design_weight",
            "comments",
            "meta-instanceID",
            "KEY",
            "SubmitterID",
            "SubmitterName",
            "AttachmentsPresent",
            "AttachmentsExpected",
            "Status",
            "ReviewState",
            "DeviceID",
            "Edits",
            "FormVersion",
        ]
        .iter()
        .map(|s| (*s).to_owned()),
    );
    let mut writer = csv::WriterBuilder::new().from_writer(Vec::new());
    write_record(&mut writer, &header);
    for r in responses {
        let mut row: Vec<String> = vec![
            format!("{}.000Z", r.submitted),
            r.participant_id.clone(),
            r.sex.into(),
            r.age_group.into(),
            r.region.into(),
            r.citizenship.into(),
            r.interview_date.clone(),
            r.years_in_russia.clone(),
            r.monthly_income.clone(),
            r.offered_military.into(),
        ];
        row.extend(CHANNEL_ORDER.iter().map(|c| {
            if r.seen_channels.contains(c) {
                "1"
            } else {
                "0"
            }
            .to_owned()
        }));
        row.extend([r.offer_accepted.to_owned(), r.knows_law.to_owned()]);
        row.extend(r.location.clone().unwrap_or_default());
        row.extend([
            r.design_weight.to_owned(),
            r.comments.to_owned(),
            format!("uuid:{}", r.uuid),
            format!("uuid:{}", r.uuid),
            "7".to_owned(),
            "field-team-2".to_owned(),
            "0".to_owned(),
            "0".to_owned(),
            String::new(),
            String::new(),
            String::new(),
            "0".to_owned(),
            "2026-01".to_owned(),
        ]);
        write_record(&mut writer, &row);
    }
    writer.into_inner().unwrap_or_default()
}

fn write_record(writer: &mut csv::Writer<Vec<u8>>, record: &[String]) {
    // Writing into a Vec cannot fail.
    writer.write_record(record).unwrap_or_default();
}

/// Writes the three example files into `dir`.
pub fn write_example(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let form = questionnaire_xlsx().map_err(std::io::Error::other)?;
    std::fs::write(dir.join(FORM_FILE), form)?;
    let responses = example_responses();
    std::fs::write(dir.join(KOBO_FILE), kobo_csv(&responses))?;
    std::fs::write(dir.join(ODK_FILE), odk_csv(&responses))?;
    Ok(())
}
