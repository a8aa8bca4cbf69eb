//! The committed example survey: up to date with its generator, the form read in three
//! languages, both export layouts read to the same answers, and tables over them.

mod support;

use std::path::PathBuf;

use kuzot_survey::{
    Answer, Form, ImportOptions, QuestionKind, RowKind, TableOptions, cross_tab, frequency_table,
    import_file, read_csv, read_xlsx,
};
use support::example_survey::{
    self as example, EXAMPLE_DIR, FORM_FILE, KOBO_FILE, ODK_FILE, RESPONSES,
};

fn example_path(file: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join(EXAMPLE_DIR)
        .join(file)
}

fn read(file: &str) -> Vec<u8> {
    std::fs::read(example_path(file)).unwrap_or_else(|e| panic!("{file}: {e}"))
}

fn form() -> Form {
    Form::from_xlsx(&read(FORM_FILE)).expect("the example form reads")
}

fn options() -> ImportOptions {
    ImportOptions {
        participant_column: Some("participant_id".to_owned()),
    }
}

#[test]
fn committed_files_match_their_generator() {
    let dir = tempfile::tempdir().expect("temp dir");
    example::write_example(dir.path()).expect("generate");
    let fresh =
        read_xlsx(&std::fs::read(dir.path().join(FORM_FILE)).expect("fresh form")).expect("xlsx");
    let committed = read_xlsx(&read(FORM_FILE)).expect("committed xlsx");
    assert_eq!(
        fresh, committed,
        "rerun `cargo run -p kuzot-survey --example make_example_survey`"
    );
    for file in [KOBO_FILE, ODK_FILE] {
        let fresh = read_csv(
            file,
            &std::fs::read(dir.path().join(file)).expect("fresh csv"),
        )
        .expect("csv");
        let committed = read_csv(file, &read(file)).expect("committed csv");
        assert_eq!(
            fresh, committed,
            "{file} is out of date: rerun the generator"
        );
    }
}

#[test]
fn the_form_reads_with_three_languages_groups_and_every_type() {
    let form = form();
    assert_eq!(form.languages, ["ky", "ru", "en"]);
    assert_eq!(form.form_id.as_deref(), Some("kuzot_example_survey"));
    let sex = form.question("sex").expect("sex");
    assert_eq!(sex.path, "respondent/sex");
    assert_eq!(sex.kind, QuestionKind::SelectOne("sex".into()));
    assert!(sex.required);
    assert_eq!(sex.labels.get(Some("ky")), Some("Жынысыңыз"));
    assert_eq!(sex.labels.get(Some("ru")), Some("Ваш пол"));
    let accepted = form
        .question("work/offer_accepted")
        .expect("offer_accepted");
    assert_eq!(
        accepted.relevant.as_deref(),
        Some("${offered_military} = 'yes'")
    );
    let kinds: Vec<&QuestionKind> = form.questions.iter().map(|q| &q.kind).collect();
    for kind in [
        QuestionKind::SelectMultiple("channels".into()),
        QuestionKind::Integer,
        QuestionKind::Decimal,
        QuestionKind::Text,
        QuestionKind::Date,
        QuestionKind::Geopoint,
        QuestionKind::Note,
        QuestionKind::Calculate,
    ] {
        assert!(kinds.contains(&&kind), "{kind:?} missing");
    }
    assert_eq!(
        form.choices_of(form.question("region").expect("region"))
            .len(),
        8
    );
}

#[test]
fn kobo_and_odk_exports_read_to_the_same_answers() {
    let form = form();
    let kobo = import_file(&form, KOBO_FILE, &read(KOBO_FILE), &options()).expect("kobo");
    let odk = import_file(&form, ODK_FILE, &read(ODK_FILE), &options()).expect("odk");
    assert_eq!(kobo.problems, [], "kobo problems");
    assert_eq!(odk.problems, [], "odk problems");
    assert_eq!(kobo.responses.len(), RESPONSES);
    assert_eq!(odk.responses.len(), RESPONSES);
    for (k, o) in kobo.responses.iter().zip(&odk.responses) {
        assert_eq!(k.id, o.id);
        assert_eq!(k.participant_id, o.participant_id);
        assert_eq!(k.answers, o.answers, "response {}", k.id);
    }
    // And they are the generator's answers, typed.
    let generated = example::example_responses();
    for (response, source) in kobo.responses.iter().zip(&generated) {
        assert_eq!(response.id, source.uuid);
        assert_eq!(
            response.participant_id.as_deref(),
            Some(source.participant_id.as_str())
        );
        assert_eq!(
            response.answers.get("respondent/sex"),
            Some(&Answer::Choice(source.sex.to_owned()))
        );
        let channels: Vec<String> = source
            .seen_channels
            .iter()
            .map(|c| (*c).to_owned())
            .collect();
        assert_eq!(
            response.answers.get("work/seen_channels"),
            Some(&Answer::Choices(channels))
        );
        match (&source.location, response.answers.get("location")) {
            (Some(parts), Some(Answer::Geopoint(point))) => {
                assert_eq!(
                    point.latitude.to_string().parse::<f64>().ok(),
                    parts[0].parse().ok()
                );
            }
            (None, None) => {}
            (expected, got) => panic!("location {expected:?} read as {got:?}"),
        }
        if source.years_in_russia.is_empty() {
            assert!(!response.answers.contains_key("work/years_in_russia"));
        } else {
            assert_eq!(
                response.answers.get("work/years_in_russia"),
                Some(&Answer::Integer(
                    source.years_in_russia.parse().expect("integer")
                ))
            );
        }
    }
}

#[test]
fn tables_over_the_example_count_what_the_generator_wrote() {
    let form = form();
    let import = import_file(&form, KOBO_FILE, &read(KOBO_FILE), &options()).expect("kobo");
    let generated = example::example_responses();
    let options = TableOptions {
        language: Some("ru".to_owned()),
        ..TableOptions::default()
    };
    let table =
        frequency_table(&form, &import.responses, "offered_military", &options).expect("table");
    assert_eq!(table.base.answered, RESPONSES as u64);
    let yes = generated
        .iter()
        .filter(|r| r.offered_military == "yes")
        .count() as u64;
    let row = table
        .rows
        .iter()
        .find(|r| r.code.as_deref() == Some("yes"))
        .expect("yes row");
    assert_eq!(row.label, "Да");
    assert_eq!(row.cell.count, Some(yes));
    let dont_know = table
        .rows
        .iter()
        .find(|r| r.code.as_deref() == Some("dont_know"))
        .expect("dk row");
    assert_eq!(dont_know.kind, RowKind::DontKnow);
    // Multi-select: % of respondents, and mentions apart.
    let channels =
        frequency_table(&form, &import.responses, "seen_channels", &options).expect("channels");
    assert!(channels.multiple);
    let mentions: usize = generated.iter().map(|r| r.seen_channels.len()).sum();
    assert_eq!(channels.mentions, Some(mentions as u64));
    let shares: f64 = channels.rows.iter().filter_map(|r| r.cell.share).sum();
    assert!(shares > 1.0, "multi-select shares add up to more than 100%");
    // Income was left empty by some: they are the missing row, outside the base.
    let income =
        frequency_table(&form, &import.responses, "monthly_income", &options).expect("income");
    let missing = generated
        .iter()
        .filter(|r| r.monthly_income.is_empty())
        .count() as u64;
    assert_eq!(income.base.missing, missing);
    assert_eq!(income.base.answered, RESPONSES as u64 - missing);
    // The cross-tab by sex has column bases adding up to the respondents.
    let by_sex = cross_tab(
        &form,
        &import.responses,
        "offered_military",
        "sex",
        &options,
    )
    .expect("cross-tab");
    let bases: u64 = by_sex.column_bases.iter().map(|b| b.answered).sum();
    assert_eq!(bases, RESPONSES as u64);
    assert!(by_sex.test.is_some());
    // Weighted by the design weight: the effective n is below the respondents.
    let weighted = frequency_table(
        &form,
        &import.responses,
        "offered_military",
        &TableOptions {
            weight: Some("design_weight".to_owned()),
            ..TableOptions::default()
        },
    )
    .expect("weighted");
    let effective_n = weighted.base.effective_n.expect("effective n");
    assert!(
        effective_n < RESPONSES as f64 && effective_n > RESPONSES as f64 * 0.8,
        "{effective_n}"
    );
}
