//! The name matcher on a table of spelling variants of fictional persons: pairs that are
//! the same person and pairs that are not, with the matcher's precision and recall.
//!
//! Every name here is invented (a given name and a surname put together for this table);
//! the shapes are those of the issue: the same man written Begotaev, Begotanov and, through
//! his mother, Begotaeva; Cyrillic and Latin; Russian, Kyrgyz, Uzbek, Tajik and Kazakh
//! forms; transliteration systems; patronymics; dropped and swapped given names.

use kuzot_cases::name_match::{
    MatchReason, MatcherConfig, PartialDate, PersonIndex, PersonRecord, TokenAgreement, compare,
    prepare,
};

/// One pair of the table: two names (with birth years where the case needs them) and
/// whether they are one person.
struct Case {
    left: &'static str,
    left_born: Option<i32>,
    right: &'static str,
    right_born: Option<i32>,
    same: bool,
    shape: &'static str,
}

const fn same(left: &'static str, right: &'static str, shape: &'static str) -> Case {
    Case {
        left,
        left_born: None,
        right,
        right_born: None,
        same: true,
        shape,
    }
}

const fn differ(left: &'static str, right: &'static str, shape: &'static str) -> Case {
    Case {
        left,
        left_born: None,
        right,
        right_born: None,
        same: false,
        shape,
    }
}

const fn born(case: Case, left: i32, right: i32) -> Case {
    Case {
        left_born: Some(left),
        right_born: Some(right),
        ..case
    }
}

const CASES: &[Case] = &[
    // The shape: one man under a surname, its longer variant, and the female form.
    same("Ормокеев Тилек", "Tilek Ormokeev", "script and order"),
    same("Tilek Ormokeev", "Tilek Ormokeyev", "glide y"),
    same(
        "Tilek Ormokeev",
        "Ормоканов Тилек",
        "variant surname (Begotanov shape)",
    ),
    same(
        "Тилек Ормокеев",
        "Tilek Ormokeeva",
        "female form (through his mother)",
    ),
    same("Sadyrbaev Emil", "Sadyrbanov Emil", "variant surname"),
    // Transliteration systems.
    same("Zhanyshbek Kulmatov", "Janyshbek Kulmatov", "zh/j"),
    same("Жанышбек Кулматов", "Dzhanyshbek Kulmatov", "ж/dzh"),
    same("Khudaiberdi Tashmatov", "Худайберди Ташматов", "kh/х"),
    same(
        "Xudoyberdi Toshmatov",
        "Худайберди Ташматов",
        "Uzbek x, o for а",
    ),
    same("Fyodor Belyokhin", "Фёдор Белёхин", "ё yo"),
    same("Fedor Belekhin", "Фёдор Белёхин", "ё e"),
    same("Aitsuluu Tsekova", "Айцулуу Цекова", "ц ts"),
    same("Aiculuu Cekova", "Айцулуу Цекова", "ц c"),
    same("Aibek Kydyrmaev", "Aybek Kidirmaev", "й/ы y i"),
    same("Айбек Кыдырмаев", "Aybek Kydyrmayev", "й ы y"),
    same("Yunus Yusubaliev", "Iunus Iusubaliev", "ю yu iu"),
    same("Yanyl Sharapova", "Яныл Шарапова", "я ya"),
    same("Ianyl Sharapova", "Яныл Шарапова", "я ia"),
    same("Чолпон Щукенова", "Cholpon Shchukenova", "щ shch"),
    same("Yermek Baisalov", "Ermek Baysalov", "initial ye"),
    same("Nurbek Abdullaev", "Нурбек Абдулаев", "doubled letter"),
    // Kyrgyz, Uzbek, Tajik, Kazakh letters.
    same("Өмүрзак Төлөнбаев", "Omurzak Tolonbaev", "Kyrgyz ө ү"),
    same(
        "Өмүрзак Төлөнбаев",
        "Омурзак Толонбаев",
        "Kyrgyz to Russian spelling",
    ),
    same("Кеңешбек Алымкулов", "Keneshbek Alymkulov", "Kyrgyz ң"),
    same(
        "Oʻtkirbek Gʻoyibnazarov",
        "Ўткирбек Ғойибназаров",
        "Uzbek oʻ gʻ",
    ),
    same(
        "O'tkirbek G'oyibnazarov",
        "Utkirbek Goyibnazarov",
        "Uzbek apostrophe dropped",
    ),
    same(
        "O`tkirbek G`oyibnazarov",
        "Ўткирбек Ғойибназаров",
        "Uzbek backtick",
    ),
    same("Ҷамшед Қурбоналиев", "Jamshed Qurbonaliev", "Tajik ҷ қ"),
    same(
        "Ҷамшед Қурбоналиев",
        "Джамшед Курбоналиев",
        "Tajik to Russian spelling",
    ),
    same("Ержан Әбдіқадыров", "Erzhan Abdikadyrov", "Kazakh ә і қ"),
    // Patronymics and particles.
    same(
        "Nurbek Toktomushevich Asangulov",
        "Asangulov Nurbek",
        "patronymic dropped",
    ),
    same(
        "Toktomush uulu Nurbek",
        "Nurbek Toktomushevich",
        "uulu and -ovich",
    ),
    same(
        "Токтомуш уулу Нурбек",
        "Nurbek Toktomushev",
        "uulu as surname",
    ),
    same(
        "Aisuluu Mamatkerim kyzy",
        "Айсулуу Маматкеримова",
        "kyzy and -ova",
    ),
    same(
        "Dilshod Rahmonberdi o‘g‘li",
        "Дилшод Рахмонберди ўғли",
        "oʻgʻli ўғли",
    ),
    same(
        "Dilshod Rahmonberdi ugli",
        "Dilshod Rakhmonberdiev",
        "ugli and -iev",
    ),
    same(
        "Гулзат Асанбековна Турдукулова",
        "Turdukulova Gulzat",
        "-ovna dropped",
    ),
    // Dropped, swapped, repeated given names; look-alike letters.
    same(
        "Azamat Bolotbek Sultankulov",
        "Sultankulov Azamat",
        "given name dropped",
    ),
    same(
        "Sultankulov Azamat Bolotbek",
        "Bolotbek Azamat Sultankulov",
        "order",
    ),
    same(
        "Кaлмaтoв Эpлaн",
        "Калматов Эрлан",
        "Latin look-alikes in Cyrillic",
    ),
    same(
        "Kаlmаtov Erlаn",
        "Kalmatov Erlan",
        "Cyrillic look-alikes in Latin",
    ),
    born(
        same("Kalmatov Erlan", "Калматов Эрлан", "birth years agree"),
        1991,
        1991,
    ),
    born(
        same("Kalmatov Erlan", "Erlan Kalmatov", "a year off"),
        1991,
        1992,
    ),
    // Not the same person.
    differ("Tilek Ormokeev", "Tilek Ormonaliev", "same given name"),
    differ("Tilek Ormokeev", "Emil Ormokeev", "brothers"),
    differ("Aisuluu Ormokeeva", "Tilek Ormokeev", "sister"),
    differ("Nurbek Asangulov", "Nurbek Asanaliev", "close surnames"),
    differ("Nurbek Asangulov", "Nurlan Asangulov", "close given names"),
    differ(
        "Nurbek Toktomushevich Asangulov",
        "Nurbek Kadyrbekovich Asangulov",
        "fathers differ",
    ),
    differ(
        "Toktomush uulu Nurbek",
        "Nurbek uulu Toktomush",
        "father and son",
    ),
    differ(
        "Aisuluu Mamatkerim kyzy",
        "Aisuluu Mamatkerimova Cholponovna",
        "daughter and granddaughter",
    ),
    differ(
        "Jamshed Qurbonaliev",
        "Jamshid Qurbonov",
        "close Tajik names",
    ),
    differ(
        "Dilshod Rahmonberdi o'g'li",
        "Dilshod Rahmonqul o'g'li",
        "fathers differ (Uzbek)",
    ),
    differ(
        "Zhanyshbek Kulmatov",
        "Zhanybek Kulmatov",
        "close given names (Kyrgyz)",
    ),
    differ(
        "Omurzak Tolonbaev",
        "Omurbek Tolonbaev",
        "Omurzak and Omurbek",
    ),
    differ("Erzhan Abdikadyrov", "Erlan Abdykalykov", "similar shape"),
    differ("Kalmatov Erlan", "Kalmanov Ermek", "two words close"),
    differ("Sadyrbaev Emil", "Sadykov Emil", "common prefix"),
    differ(
        "Yunus Yusubaliev",
        "Yusup Yunusaliev",
        "words swapped between names",
    ),
    differ(
        "Cholpon Shchukenova",
        "Cholpon Shukurova",
        "close female surnames",
    ),
    differ("Azamat Sultankulov", "Azamat Sultanov", "shorter surname"),
    differ(
        "Utkirbek Goyibnazarov",
        "Utkir Nazarov",
        "part of a surname",
    ),
    differ(
        "Fedor Belekhin",
        "Fedor Belov",
        "same given name, short surname",
    ),
    differ("Tilek", "Emil", "one word each"),
    differ("Ормокеев", "Ормонов", "one surname each"),
    born(
        differ("Kalmatov Erlan", "Калматов Эрлан", "birth years apart"),
        1991,
        1976,
    ),
    born(
        differ("Ormokeev Tilek", "Tilek Ormokeyev", "birth years apart"),
        1985,
        1999,
    ),
];

/// Pairs written after the matcher's rules were last changed and before the follow-up to
/// its known misses, committed first and never used to tune it: their precision and
/// recall are the held-out figure. Invented names, like the rest of the table.
const HELD_OUT: &[Case] = &[
    same("Асхат Бекназаров", "Askhat Beknazarov", "сх as kh"),
    same(
        "Асхат Бекназаров",
        "Ashat Beknazarov",
        "сх as sh (split pair)",
    ),
    same("Данияр Матсуев", "Daniyar Matsuev", "тс as ts (split pair)"),
    same("Kubanychbek Sydykov", "Кубанычбек Сыдыков", "ы y, ч ch"),
    same("Жылдыз Тойчубекова", "Jyldyz Toichubekova", "ж j, й i"),
    same("Мирлан Эшматов", "Mirlan Eshmatov", "э e, ш sh"),
    same("Бакыт Жороев", "Bakyt Joroev", "ж j"),
    same("Гульнара Исхакова", "Gulnara Iskhakova", "сх kh, soft sign"),
    same(
        "Гульнара Исхакова",
        "Gulnara Ishakova",
        "сх as sh (split pair)",
    ),
    same(
        "Rakhmatullo Safarov",
        "Рахматулло Сафаров",
        "х kh, doubled l",
    ),
    same("Shukhrat Nazirov", "Шухрат Назиров", "ш sh, х kh"),
    same(
        "Абдырахман уулу Турсунбай",
        "Tursunbai Abdyrakhmanov",
        "uulu and a surname from the father",
    ),
    same("Эрмек Кочкорбаев", "Ermek Kochkorbayev", "glide y, ч ch"),
    same("Zarina Yuldasheva", "Зарина Юлдашева", "ю yu"),
    born(
        same("Islam Mamyrov", "Ислам Мамыров", "birth a year off"),
        1990,
        1991,
    ),
    differ("Бакыт Жороев", "Бакыт Жолдошев", "same given name"),
    differ("Ashat Beknazarov", "Asel Beknazarova", "sister"),
    differ("Mirlan Eshmatov", "Mirbek Eshmatov", "brothers"),
    differ("Shukhrat Nazirov", "Shukhrat Nazarov", "Nazir and Nazar"),
    differ(
        "Rakhmatullo Safarov",
        "Rakhmatullo Sabirov",
        "close surnames",
    ),
    born(
        differ("Islam Mamyrov", "Ислам Мамыров", "birth years apart"),
        1990,
        1972,
    ),
    differ(
        "Kubanychbek Sydykov",
        "Kubanychbek Sadykov",
        "Sydyk and Sadyk",
    ),
    differ(
        "Гульнара Исхакова",
        "Гульнара Исаева",
        "close female surnames",
    ),
    differ("Эрмек Кочкорбаев", "Эрмек Кочкоров", "shorter surname"),
    differ("Daniyar Matsuev", "Daniyar Mansurov", "same given name"),
];

fn record(id: u64, name: &str, born: Option<i32>) -> PersonRecord {
    PersonRecord {
        id,
        names: vec![name.to_string()],
        birth: born.map(PartialDate::year),
        ..PersonRecord::default()
    }
}

/// The matcher's precision and recall on a table of pairs, with the pairs it got wrong.
struct TableScore {
    precision: f64,
    recall: f64,
    errors: Vec<String>,
}

fn score_table(label: &str, cases: &[Case]) -> TableScore {
    let config = MatcherConfig::default();
    let (mut true_pos, mut false_pos, mut false_neg, mut true_neg) = (0, 0, 0, 0);
    let mut errors = Vec::new();
    for case in cases {
        let left = prepare(record(1, case.left, case.left_born));
        let right = prepare(record(2, case.right, case.right_born));
        let suggestion = compare(&left, &right);
        // Symmetry: the order of the records changes nothing.
        let reverse = compare(&right, &left);
        assert!(
            (suggestion.score - reverse.score).abs() < 1e-6,
            "{} / {}: {} vs {}",
            case.left,
            case.right,
            suggestion.score,
            reverse.score
        );
        let proposed = config.proposes(&suggestion);
        match (case.same, proposed) {
            (true, true) => true_pos += 1,
            (false, true) => false_pos += 1,
            (true, false) => false_neg += 1,
            (false, false) => true_neg += 1,
        }
        if case.same != proposed {
            errors.push(format!(
                "{} | {} ({}): same={} score={:.3} name={:.3} {:?}",
                case.left,
                case.right,
                case.shape,
                case.same,
                suggestion.score,
                suggestion.name_similarity,
                suggestion.reasons
            ));
        }
    }
    let precision = f64::from(true_pos) / f64::from((true_pos + false_pos).max(1));
    let recall = f64::from(true_pos) / f64::from((true_pos + false_neg).max(1));
    println!(
        "name matcher on {} {label} pairs: precision {precision:.3}, recall {recall:.3} \
         (tp {true_pos}, fp {false_pos}, fn {false_neg}, tn {true_neg})",
        cases.len()
    );
    for error in &errors {
        println!("  wrong: {error}");
    }
    TableScore {
        precision,
        recall,
        errors,
    }
}

#[test]
fn spelling_variant_table_precision_and_recall() {
    let TableScore {
        precision,
        recall,
        errors,
    } = score_table("tuned", CASES);
    // Floors: a missed pair leaves one person as two cases, which a caseworker may never
    // notice, so recall matters most; a false proposal costs a caseworker one look, but
    // a queue in which one proposal in five is wrong stops being read. The matcher's rules
    // were tuned on this table (it scores 1.0 and 1.0 here), so the floors leave room for
    // rows added later rather than describe unseen names; the benchmark's generated
    // variants and the held-out pairs below are the checks it was not tuned on.
    assert!(recall >= 0.9, "recall {recall:.3}: {errors:#?}");
    assert!(precision >= 0.85, "precision {precision:.3}: {errors:#?}");
}

#[test]
fn held_out_pairs_precision_and_recall() {
    // The floors were set when the pairs were written, before the matcher ran on them;
    // the figures printed are the held-out measure reported in BENCHMARKS.md.
    let TableScore {
        precision,
        recall,
        errors,
    } = score_table("held-out", HELD_OUT);
    assert!(HELD_OUT.len() >= 15);
    assert!(recall >= 0.75, "held-out recall {recall:.3}: {errors:#?}");
    assert!(
        precision >= 0.75,
        "held-out precision {precision:.3}: {errors:#?}"
    );
}

#[test]
fn reasons_name_the_forms_that_matched() {
    let left = prepare(record(1, "Тилек Ормокеев", None));
    let right = prepare(record(2, "Tilek Ormokeeva", None));
    let suggestion = compare(&left, &right);
    let words: Vec<(&str, &str)> = suggestion
        .reasons
        .iter()
        .filter_map(|r| match r {
            MatchReason::NameWords { left, right, .. } => Some((left.as_str(), right.as_str())),
            _ => None,
        })
        .collect();
    assert!(words.contains(&("tilek", "tilek")), "{suggestion:?}");
    // The female form is named as such.
    assert!(suggestion.reasons.iter().any(|r| matches!(
        r,
        MatchReason::NameWords {
            agreement: TokenAgreement::SurnameSexForm,
            ..
        }
    )));
    // Folded spellings: the doubled e is one letter.
    assert!(words.contains(&("ormokev", "ormokeva")), "{suggestion:?}");
    // ...and the forms as the sources wrote them, which is what a caseworker recognises.
    let written: Vec<(&str, &str)> = suggestion
        .reasons
        .iter()
        .filter_map(|r| match r {
            MatchReason::NameWords {
                left_written,
                right_written,
                ..
            } => Some((left_written.as_str(), right_written.as_str())),
            _ => None,
        })
        .collect();
    assert!(
        written.contains(&("Ормокеев", "Ormokeeva")),
        "{suggestion:?}"
    );
    assert!(written.contains(&("Тилек", "Tilek")), "{suggestion:?}");
}

#[test]
fn reasons_name_unpaired_words_particles_and_places_as_written() {
    let mut left = record(1, "Асанбек уулу Нурлан Болотбек", None);
    let mut right = record(2, "Nurlan Asanbekovich", None);
    left.district = Some("Ак-Суйский район".into());
    right.district = Some("Ak-Suu district".into());
    left.colony = Some("ИК-19 Свердловской области".into());
    right.colony = Some("IK-19, Sverdlovsk region".into());
    let suggestion = compare(&prepare(left), &prepare(right));
    let reasons = &suggestion.reasons;
    // The Kyrgyz father's name is shown with its particle.
    assert!(
        reasons.iter().any(|r| matches!(
            r,
            MatchReason::NameWords { left_written, right_written, .. }
                if left_written == "Асанбек уулу" && right_written == "Asanbekovich"
        )),
        "{reasons:?}"
    );
    assert!(
        reasons.iter().any(|r| matches!(
            r,
            MatchReason::NameWordsUnpaired { left_written, .. } if left_written == &["Болотбек"]
        )),
        "{reasons:?}"
    );
    assert!(
        reasons.contains(&MatchReason::DistrictAgrees {
            left: "Ак-Суйский район".into(),
            right: "Ak-Suu district".into(),
        }),
        "{reasons:?}"
    );
    assert!(
        reasons.contains(&MatchReason::ColonyAgrees {
            left: "ИК-19 Свердловской области".into(),
            right: "IK-19, Sverdlovsk region".into(),
        }),
        "{reasons:?}"
    );
}

#[test]
fn a_latin_letter_pair_read_as_two_letters_matches_through_the_index() {
    // Асхат written Ashat (с+х, not ш), Матсуев written Matsuev (т+с, not ц).
    let records = vec![
        record(1, "Асхат Бекназаров", None),
        record(2, "Данияр Матсуев", None),
        record(3, "Гульнара Исхакова", None),
        record(4, "Шамиль Бекназаров", None),
    ];
    let index = PersonIndex::build(records, MatcherConfig::default());
    for (query, expected) in [
        ("Ashat Beknazarov", 1),
        ("Daniyar Matsuev", 2),
        ("Gulnara Ishakova", 3),
        // The usual reading still works.
        ("Shamil Beknazarov", 4),
        ("Askhat Beknazarov", 1),
    ] {
        let found = index.find_matches(record(99, query, None));
        assert_eq!(
            found.first().map(|s| s.right),
            Some(expected),
            "{query}: {found:?}"
        );
    }
    let suggestion = compare(
        &prepare(record(1, "Асхат Бекназаров", None)),
        &prepare(record(2, "Ashat Beknazarov", None)),
    );
    assert!(
        suggestion.reasons.iter().any(|r| matches!(
            r,
            MatchReason::NameWords {
                agreement: TokenAgreement::LetterPairSplit,
                left_written,
                right_written,
                ..
            } if left_written == "Асхат" && right_written == "Ashat"
        )),
        "{suggestion:?}"
    );
    // Shamil is not Samil: a split reading is not a licence to drop the h.
    let suggestion = compare(
        &prepare(record(1, "Shamil Beknazarov", None)),
        &prepare(record(2, "Самил Бекназаров", None)),
    );
    assert!(
        !MatcherConfig::default().proposes(&suggestion),
        "{suggestion:?}"
    );
}

#[test]
fn blocking_reaches_a_split_reading_when_the_usual_keys_do_not() {
    // A surname shared by more persons than `max_block` is no key; the query's given
    // name Ashat read as usual (ашат) meets only Ашат Осмонов. Асхат Бекназаров is found
    // through the split reading's skeleton alone.
    let config = MatcherConfig {
        max_block: 2,
        ..MatcherConfig::default()
    };
    let records = vec![
        record(1, "Асхат Бекназаров", None),
        record(2, "Нурлан Бекназаров", None),
        record(3, "Эмиль Бекназаров", None),
        record(4, "Тилек Бекназаров", None),
        record(5, "Ашат Осмонов", None),
    ];
    let index = PersonIndex::build(records, config);
    let found = index.find_matches(record(99, "Ashat Beknazarov", None));
    assert_eq!(
        found.iter().map(|s| s.right).collect::<Vec<_>>(),
        [1],
        "{found:?}"
    );
    // And the reverse: the Latin record is in the index, the Cyrillic one is the query.
    let records = vec![
        record(1, "Ashat Beknazarov", None),
        record(2, "Nurlan Beknazarov", None),
        record(3, "Emil Beknazarov", None),
        record(4, "Tilek Beknazarov", None),
        record(5, "Асхат Осмонов", None),
    ];
    let index = PersonIndex::build(records, config);
    let found = index.find_matches(record(99, "Асхат Бекназаров", None));
    assert_eq!(
        found.iter().map(|s| s.right).collect::<Vec<_>>(),
        [1],
        "{found:?}"
    );
}

#[test]
fn district_forms_agree_and_colonies_are_compared_with_their_region() {
    let with_places = |id, district: &str, colony: &str| PersonRecord {
        district: (!district.is_empty()).then(|| district.to_string()),
        colony: (!colony.is_empty()).then(|| colony.to_string()),
        ..record(id, "Tilek Ormokeev", None)
    };
    let reasons = |a: PersonRecord, b: PersonRecord| compare(&prepare(a), &prepare(b)).reasons;
    let district_forms = [
        "Ак-Суйский район",
        "Ак-Суу району",
        "Ak-Suu district",
        "Аксуйский",
        "Ak-Suyskiy rayon",
    ];
    for a in district_forms {
        for b in district_forms {
            let found = reasons(with_places(1, a, ""), with_places(2, b, ""));
            assert!(
                found
                    .iter()
                    .any(|r| matches!(r, MatchReason::DistrictAgrees { .. })),
                "{a} / {b}: {found:?}"
            );
        }
    }
    for (a, b) in [
        ("Ак-Суйский район", "Кара-Суйский район"),
        ("Ak-Suu district", "Kara-Suu district"),
        ("Таласский район", "Ак-Суйский район"),
    ] {
        let found = reasons(with_places(1, a, ""), with_places(2, b, ""));
        assert!(
            found
                .iter()
                .any(|r| matches!(r, MatchReason::DistrictDiffers { .. })),
            "{a} / {b}: {found:?}"
        );
    }
    let colony = |a: &str, b: &str| {
        let found = reasons(with_places(1, "", a), with_places(2, "", b));
        if found
            .iter()
            .any(|r| matches!(r, MatchReason::ColonyAgrees { .. }))
        {
            Some(true)
        } else if found
            .iter()
            .any(|r| matches!(r, MatchReason::ColonyDiffers { .. }))
        {
            Some(false)
        } else {
            None
        }
    };
    assert_eq!(
        colony("ИК-19 Свердловской области", "IK-19, Sverdlovsk region"),
        Some(true)
    );
    assert_eq!(
        colony(
            "ФКУ ИК-19 ГУФСИН России по Свердловской области",
            "IK-19 Sverdlovsk oblast"
        ),
        Some(true)
    );
    assert_eq!(
        colony("ИК-19 Свердловской области", "IK-19, Omsk region"),
        Some(false)
    );
    assert_eq!(
        colony("ИК-19 Омской области", "ИК-19 Свердловской области"),
        Some(false)
    );
    // A region on one side only: the number decides.
    assert_eq!(colony("ИК-19", "IK-19, Omsk region"), Some(true));
    assert_eq!(colony("ИК-19", "IK-7, Omsk region"), Some(false));
}

#[test]
fn the_index_proposes_the_same_pairs_as_the_table() {
    // Every name of the table in one index: each "same" pair must be found among the
    // candidates of its left name (blocking loses nothing the matcher would propose).
    let mut records = Vec::new();
    for (k, case) in CASES.iter().enumerate() {
        let k = k as u64;
        records.push(record(k * 2, case.left, case.left_born));
        records.push(record(k * 2 + 1, case.right, case.right_born));
    }
    let config = MatcherConfig::default();
    let index = PersonIndex::build(records.clone(), config);
    let all_pairs = index.all_pairs();
    for (k, case) in CASES.iter().enumerate() {
        let k = k as u64;
        let direct = compare(
            &prepare(records[k as usize * 2].clone()),
            &prepare(records[k as usize * 2 + 1].clone()),
        );
        if !config.proposes(&direct) {
            continue;
        }
        let found = index.find_matches(records[k as usize * 2].clone());
        assert!(
            found.iter().any(|s| s.right == k * 2 + 1),
            "{} / {}: proposed directly, not found through the index",
            case.left,
            case.right
        );
        assert!(
            all_pairs
                .iter()
                .any(|s| s.left == k * 2 && s.right == k * 2 + 1),
            "{} / {}: missing from all pairs",
            case.left,
            case.right
        );
    }
}

#[test]
fn hostile_inputs_never_panic() {
    let megabyte = "Ормокеев ".repeat(70_000);
    let controls: String = (0u8..32)
        .map(char::from)
        .chain("Tilek\u{7f}\u{202e}Ormokeev".chars())
        .collect();
    let hostile = [
        String::new(),
        " \t\n".to_string(),
        megabyte,
        "x".repeat(1 << 20),
        controls,
        "Tilek Ормокеев 山田 ܐܠܗܐ 👩‍👩‍👧 Ω\u{0301}".to_string(),
        "'''‘’ʻʼ`".to_string(),
        "o' g' o‘".to_string(),
        "\u{FEFF}\u{200B}\u{0301}\u{0308}".to_string(),
    ];
    let mut records: Vec<PersonRecord> = hostile
        .iter()
        .enumerate()
        .map(|(k, name)| PersonRecord {
            id: k as u64,
            names: vec![name.clone(), name.clone()],
            birth: Some(PartialDate::day(i32::MAX, 200, 255)),
            district: Some(name.clone()),
            colony: Some(name.clone()),
            events: Vec::new(),
        })
        .collect();
    records.push(record(100, "Tilek Ormokeev", Some(i32::MIN)));
    let index = PersonIndex::build(records.clone(), MatcherConfig::default());
    let _ = index.all_pairs();
    for record in records {
        for suggestion in index.find_matches(record) {
            assert!((0.0..=1.0).contains(&suggestion.score));
        }
    }
}
