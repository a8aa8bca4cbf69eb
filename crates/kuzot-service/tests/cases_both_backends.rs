//! The case registry on both backends: what goes in comes out, the database (file, WAL,
//! dump) names nobody, a wrong or missing key is refused without a write, sealed values do
//! not open in another row or field, names are found across spellings through the blind
//! index, a CSV import lists its bad rows, and a merge is undone. Every name is invented.

use std::path::{Path, PathBuf};

use kuzot_cases::name_match::PartialDate;
use kuzot_cases::protect::{KeyEncryptionKey, ProtectError};
use kuzot_cases::registry::{
    CaseEventKind, Contact, ContactKind, Credibility, Event, EventDetails, Intervention,
    InterventionKind, InterventionStatus, Involvement, InvolvementRole, NameSpelling, Party,
    Person, Place, RecruiterKind, Reliability, Sex, Source, SourceKind,
};
use kuzot_service::cases::{CaseError, CaseRegistry, ColumnMapping, import_csv};
use kuzot_store::StoreLocation;
use kuzot_store::cases::open_cases;
use kuzot_store::postgres_test_database::TestDatabase;

/// One backend under test: where the registry is, and how to reach its raw bytes.
struct Backend {
    location: StoreLocation,
    /// The SQLite data directory, or the PostgreSQL test database (kept alive).
    sqlite_dir: Option<PathBuf>,
    postgres: Option<TestDatabase>,
    /// The folder of key files, outside the data directory.
    keys: tempfile::TempDir,
    _data: Option<tempfile::TempDir>,
}

impl Backend {
    fn key(&self, name: &str) -> KeyEncryptionKey {
        let path = self.keys.path().join(name);
        if path.exists() {
            KeyEncryptionKey::load(&path).expect("load key")
        } else {
            KeyEncryptionKey::create_file(&path, &[]).expect("create key")
        }
    }

    fn registry(&self, key: &str) -> Result<CaseRegistry, CaseError> {
        let store = open_cases(&self.location)?;
        CaseRegistry::open(store, &self.key(key))
    }

    /// Runs SQL on the raw database (to tamper with it as an attacker with the file would).
    fn execute(&self, sqlite: &str, postgres: &str) {
        if let Some(dir) = &self.sqlite_dir {
            let conn = rusqlite::Connection::open(dir.join("kuzot.db")).expect("open");
            conn.execute_batch(sqlite).expect("sqlite statement");
        }
        if let Some(db) = &self.postgres {
            let mut client = postgres::Client::connect(db.url(), postgres::NoTls).expect("pg");
            client.batch_execute(postgres).expect("pg statement");
        }
    }

    /// Every byte the database holds at rest: the SQLite file and its WAL, or a pg_dump.
    fn raw_bytes(&self) -> Vec<u8> {
        if let Some(dir) = &self.sqlite_dir {
            let mut bytes = Vec::new();
            for name in ["kuzot.db", "kuzot.db-wal"] {
                if let Ok(more) = std::fs::read(dir.join(name)) {
                    bytes.extend(more);
                }
            }
            assert!(!bytes.is_empty(), "no database file");
            return bytes;
        }
        let db = self.postgres.as_ref().expect("a backend");
        let out = std::process::Command::new("/usr/bin/pg_dump")
            .arg("--dbname")
            .arg(db.url())
            .output()
            .expect("run pg_dump");
        assert!(
            out.status.success(),
            "pg_dump: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let dump = out.stdout;
        assert!(
            String::from_utf8_lossy(&dump).contains("case_persons"),
            "the dump lacks the registry's tables"
        );
        dump
    }
}

/// Runs `story` on SQLite, then on PostgreSQL when a server answers.
fn on_both(purpose: &str, story: impl Fn(&Backend)) {
    let data = tempfile::tempdir().expect("temp dir");
    let dir = data.path().join("data");
    story(&Backend {
        location: StoreLocation::Sqlite(dir.clone()),
        sqlite_dir: Some(dir),
        postgres: None,
        keys: tempfile::tempdir().expect("keys dir"),
        _data: Some(data),
    });
    if let Some(db) = TestDatabase::create(purpose) {
        story(&Backend {
            location: StoreLocation::Postgres(db.url().to_owned()),
            sqlite_dir: None,
            postgres: Some(db),
            keys: tempfile::tempdir().expect("keys dir"),
            _data: None,
        });
    }
}

fn spelling(name: &str, source: Option<i64>) -> NameSpelling {
    NameSpelling {
        name: name.to_owned(),
        source,
    }
}

/// An invented person of the shape the registry holds.
fn almazbek(source: i64) -> Person {
    Person {
        names: vec![
            spelling("Жоробеков Алмазбек Токтосунович", Some(source)),
            spelling("Jorobekov Almazbek", Some(source)),
        ],
        sex: Some(Sex::Male),
        birth: Some(PartialDate::month(1991, 4)),
        birthplace: Place {
            country: Some("Кыргызстан".into()),
            region: Some("Жалал-Абадская область".into()),
            district: Some("Ак-Жарский район".into()),
            locality: Some("Кара-Булак".into()),
        },
        citizenships: vec!["KG".into(), "RU".into()],
        contacts: vec![Contact {
            kind: ContactKind::Phone,
            value: "+996 555 804 317".into(),
            holder: Some("мать, Гүлзат".into()),
        }],
        notes: "Мать узнала о гибели от незнакомца; Келдибеков Эрмек служил с ним.".into(),
    }
}

fn other_person(name: &str) -> Person {
    Person {
        names: vec![spelling(name, None)],
        ..Person::default()
    }
}

/// Invented surnames and given names for the persons around the ones searched for.
fn crowd(count: usize) -> Vec<Person> {
    let stems = [
        "Бакир",
        "Турган",
        "Самат",
        "Осмон",
        "Калыс",
        "Мырза",
        "Дөөлөт",
        "Эркин",
        "Кубан",
        "Таалай",
        "Нурбол",
        "Айдар",
    ];
    let given = [
        "Азамат",
        "Бекзат",
        "Данияр",
        "Жыргал",
        "Мирлан",
        "Улан",
        "Канат",
    ];
    (0..count)
        .map(|i| {
            let surname = format!(
                "{}{}",
                stems[i % stems.len()],
                ["ов", "баев", "алиев"][i % 3]
            );
            other_person(&format!("{surname} {}", given[i % given.len()]))
        })
        .collect()
}

#[test]
fn a_case_goes_in_and_comes_out_whole() {
    on_both("cases_roundtrip", |b| {
        let registry = b.registry("main.key").expect("open");
        let source = registry
            .add_source(&Source {
                kind: SourceKind::RelativeAccount,
                document_id: None,
                reference: "Интервью с матерью, Ош".into(),
                reliability: Reliability::B,
                credibility: Credibility::new(2).expect("grade"),
            })
            .expect("source");
        let person = almazbek(source);
        let id = registry.add_person(&person).expect("add");
        let recruitment = Event {
            kind: CaseEventKind::Recruitment,
            date: Some(PartialDate::month(2023, 2)),
            place: Place {
                locality: Some("ИК-7".into()),
                region: Some("Ростовская область".into()),
                ..Place::default()
            },
            details: EventDetails {
                colony: Some("ИК-7".into()),
                recruiter: Some(RecruiterKind::PrivateMilitaryCompany),
                organisation: Some("ЧВК".into()),
                promised: Some("снятие судимости через полгода".into()),
                amount: None,
                description: "Завербован в колонии.".into(),
            },
            sources: vec![source],
        };
        let event = registry
            .add_event(
                &recruitment,
                &[
                    Involvement {
                        party: Party::Person(id),
                        role: InvolvementRole::Victim,
                    },
                    Involvement {
                        party: Party::Organisation("ЧВК".into()),
                        role: InvolvementRole::Recruiter,
                    },
                ],
            )
            .expect("event");
        let death = Event {
            kind: CaseEventKind::Death,
            date: Some(PartialDate::year(2023)),
            place: Place::default(),
            details: EventDetails::default(),
            sources: vec![source],
        };
        registry
            .add_event(
                &death,
                &[Involvement {
                    party: Party::Person(id),
                    role: InvolvementRole::Victim,
                }],
            )
            .expect("death");
        let appeal = Intervention {
            kind: InterventionKind::ConsularAppeal,
            date: Some(PartialDate::day(2023, 9, 14)),
            addressee: "Генеральное консульство, Екатеринбург".into(),
            status: InterventionStatus::Sent,
            notes: "Ответа нет.".into(),
        };
        registry
            .add_intervention(id, &appeal)
            .expect("intervention");

        // Reopened from the store with the same key: everything as it was written.
        drop(registry);
        let registry = b.registry("main.key").expect("reopen");
        let case = registry.show(id).expect("show").expect("the person");
        assert_eq!(case.person.person, person);
        assert_eq!(case.person.merged_into, None);
        assert_eq!(case.events.len(), 2);
        // The death is known only to the year: it sorts by its year, before the
        // recruitment in February of that year; the partial dates stay partial.
        let recruitment_back = case.events.iter().find(|e| e.id == event).expect("event");
        assert_eq!(recruitment_back.event, recruitment);
        assert_eq!(recruitment_back.involvements.len(), 2);
        assert!(case.events.iter().any(|e| e.event == death));
        assert_eq!(case.sources.len(), 1);
        assert_eq!(case.sources[0].1.reliability, Reliability::B);
        assert_eq!(case.interventions.len(), 1);
        assert_eq!(case.interventions[0].1, appeal);

        // An update replaces the fields and the tokens: the old spelling is no longer found.
        let mut renamed = person.clone();
        renamed.names = vec![spelling("Тайлаков Асылбек", None)];
        registry.update_person(id, &renamed).expect("update");
        assert_eq!(
            registry.person(id).expect("read").expect("there").person,
            renamed
        );
        assert!(
            registry
                .find_by_name("Жоробеков Алмазбек", 5)
                .expect("find")
                .is_empty()
        );
        assert_eq!(
            registry.find_by_name("Tailakov Asylbek", 5).expect("find")[0].id,
            id
        );
    });
}

/// Every spelling and personal detail of the invented persons, as bytes to look for.
const SECRETS: &[&str] = &[
    "Жоробеков",
    "Jorobekov",
    "Алмазбек",
    "Almazbek",
    "Токтосунович",
    "Кара-Булак",
    "Ак-Жарский",
    "804 317",
    "Гүлзат",
    "Келдибеков",
    "Satybaldiev",
    "Сатыбалдиев",
    "Интервью с матерью",
    "снятие судимости",
];

#[test]
fn the_database_at_rest_names_nobody() {
    on_both("cases_at_rest", |b| {
        let registry = b.registry("main.key").expect("open");
        let source = registry
            .add_source(&Source {
                kind: SourceKind::Interview,
                document_id: None,
                reference: "Интервью с матерью".into(),
                reliability: Reliability::C,
                credibility: Credibility::new(3).expect("grade"),
            })
            .expect("source");
        let id = registry.add_person(&almazbek(source)).expect("add");
        registry
            .add_person(&Person {
                names: vec![
                    spelling("Сатыбалдиев Эрмек", None),
                    spelling("Satybaldiev Ermek", None),
                ],
                ..Person::default()
            })
            .expect("add");
        registry
            .add_event(
                &Event {
                    kind: CaseEventKind::Recruitment,
                    date: None,
                    place: Place::default(),
                    details: EventDetails {
                        promised: Some("снятие судимости".into()),
                        ..EventDetails::default()
                    },
                    sources: vec![source],
                },
                &[Involvement {
                    party: Party::Person(id),
                    role: InvolvementRole::Victim,
                }],
            )
            .expect("event");
        // The registry itself reads them back: the test looks for bytes that exist.
        let shown = registry.show(id).expect("show").expect("person");
        assert!(shown.person.person.names[0].name.contains("Жоробеков"));
        drop(registry);
        let bytes = b.raw_bytes();
        // The scan sees what is stored in the clear (citizenships), so it would see names.
        assert!(
            bytes.windows(5).any(|w| w == b"KG,RU"),
            "the scan reads no stored text"
        );
        for secret in SECRETS {
            for form in [
                secret.to_string(),
                secret.to_lowercase(),
                secret.to_uppercase(),
            ] {
                assert!(
                    !bytes.windows(form.len()).any(|w| w == form.as_bytes()),
                    "{form:?} is readable in the database at rest"
                );
            }
        }
    });
}

#[test]
fn a_wrong_or_missing_key_is_refused_and_nothing_is_written() {
    on_both("cases_wrong_key", |b| {
        let registry = b.registry("right.key").expect("open");
        registry.add_person(&almazbek(0)).expect("add");
        drop(registry);
        let store = open_cases(&b.location).expect("store");
        let keys_before = store.data_keys().expect("keys");
        let persons_before = store.list_persons(0, 100).expect("persons");
        assert_eq!(keys_before.len(), 1);

        let wrong = b.key("wrong.key");
        let error = b
            .registry("wrong.key")
            .expect_err("a wrong key opens nothing");
        let message = error.to_string();
        assert!(matches!(
            error,
            CaseError::Protect(ProtectError::WrongKey { .. })
        ));
        assert!(
            message.contains("this key does not open the registry's data keys"),
            "{message}"
        );
        assert!(
            message.contains("wrong.key") && message.contains(wrong.id()),
            "{message}"
        );
        assert!(message.contains(&keys_before[0].key_id), "{message}");
        for secret in SECRETS {
            assert!(!message.contains(secret));
        }

        let missing = b.keys.path().join("lost.key");
        let error = KeyEncryptionKey::load(&missing).expect_err("missing");
        assert!(error.to_string().contains(&missing.display().to_string()));

        assert_eq!(store.data_keys().expect("keys"), keys_before);
        assert_eq!(store.list_persons(0, 100).expect("persons"), persons_before);
        // The right key still opens everything.
        let registry = b.registry("right.key").expect("open again");
        assert_eq!(registry.list(0, 10).expect("list").len(), 1);
    });
}

#[test]
fn sealed_values_do_not_open_in_another_row_or_field() {
    on_both("cases_swapped", |b| {
        let registry = b.registry("main.key").expect("open");
        let first = registry.add_person(&almazbek(0)).expect("add");
        let second = registry
            .add_person(&other_person("Сатыбалдиев Эрмек"))
            .expect("add");
        // Another row's names.
        b.execute(
            &format!(
                "UPDATE case_persons SET names = (SELECT names FROM case_persons WHERE id = {second})
                 WHERE id = {first}"
            ),
            &format!(
                "UPDATE case_persons SET names = (SELECT names FROM case_persons WHERE id = {second})
                 WHERE id = {first}"
            ),
        );
        let error = registry
            .person(first)
            .expect_err("moved names must not open");
        assert!(
            matches!(error, CaseError::Protect(ProtectError::FieldDoesNotOpen { ref field, .. }) if field == "names"),
            "{error}"
        );
        assert!(!error.to_string().contains("Сатыбалдиев"));
        // Another field of the same row.
        b.execute(
            &format!("UPDATE case_persons SET notes = names WHERE id = {second}"),
            &format!("UPDATE case_persons SET notes = names WHERE id = {second}"),
        );
        assert!(matches!(
            registry.person(second),
            Err(CaseError::Protect(ProtectError::FieldDoesNotOpen { .. }))
        ));
        // A search that meets a damaged row says so rather than skipping it.
        assert!(registry.find_by_name("Сатыбалдиев", 5).is_err());
    });
}

#[test]
fn names_are_found_across_spellings_through_the_blind_index() {
    on_both("cases_find", |b| {
        let registry = b.registry("main.key").expect("open");
        let crowd_ids = registry.add_persons(&crowd(300)).expect("crowd");
        let id = registry
            .add_person(&other_person("Жоробеков Алмазбек Токтосунович"))
            .expect("add");
        let namesake = registry
            .add_person(&other_person("Сатыбалдиев Эрмек"))
            .expect("add");
        for query in [
            "Jorobekov Almazbek",
            "Zhorobekov Almazbek",
            "Алмазбек Жоробеков",
            "ЖОРОБЕКОВ АЛМАЗБЕК",
            "Zhorobekova",
        ] {
            let found = registry.find_by_name(query, 5).expect("find");
            assert_eq!(found.first().map(|c| c.id), Some(id), "{query}: {found:?}");
            assert!(!found.iter().any(|c| c.id == namesake), "{query}");
            assert!(!found[0].suggestion.reasons.is_empty());
            // Blocking, not a scan: the crowd's persons are not even candidates.
            let candidates = registry.candidate_ids(query).expect("candidates");
            assert!(candidates.contains(&id), "{query}");
            assert!(
                candidates.len() < crowd_ids.len() / 10,
                "{query}: {} candidates",
                candidates.len()
            );
        }
        assert!(
            registry
                .find_by_name("Tailakov Bakyt", 5)
                .expect("find")
                .is_empty()
        );
    });
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write");
    path
}

#[test]
fn an_import_keeps_readable_rows_and_lists_the_others() {
    on_both("cases_import", |b| {
        let registry = b.registry("main.key").expect("open");
        let dir = tempfile::tempdir().expect("dir");
        let csv = write(
            dir.path(),
            "погибшие.csv",
            "ФИО,ФИО (лат.),Дата рождения,Район,death_date,Гражданство,Телефон,Комментарий\n\
             Жоробеков Алмазбек,Jorobekov Almazbek,04.1991,Ак-Жарский район,03.2023,KG,+996 555 804 317,со слов матери\n\
             Сатыбалдиев Эрмек,,31.02.1990,,,KG,,\n\
             ,,1990,,,,,\n\
             Тайлаков Асылбек,,1988,,2023,KG,,,лишняя ячейка\n\
             Келдибеков Эрмек,,1993,,2024,KGZ,,\n\
             Бакиров Канат,Bakirov Kanat,1995,,,RU;KG,,\n",
        );
        let mapping = ColumnMapping::parse(&[
            "ФИО=name".into(),
            "ФИО (лат.)=name".into(),
            "Дата рождения=birth".into(),
            "Район=district".into(),
            "Гражданство=citizenship".into(),
            "Телефон=phone".into(),
        ])
        .expect("mapping");
        let report = import_csv(&registry, &csv, &mapping).expect("import");
        assert_eq!(report.imported.len(), 2, "{report:?}");
        assert_eq!(report.ignored_columns, vec!["Комментарий".to_owned()]);
        let rejected: Vec<(u64, Option<&str>)> = report
            .rejected
            .iter()
            .map(|r| (r.line, r.column.as_deref()))
            .collect();
        assert_eq!(
            rejected,
            vec![
                (3, Some("Дата рождения")),
                (4, None),
                (5, None),
                (6, Some("Гражданство")),
            ]
        );
        assert!(report.rejected[0].reason.contains("not a date"));
        assert!(
            !report.rejected[0].reason.contains("31.02.1990"),
            "a birth date is personal"
        );
        assert!(report.rejected[1].reason.contains("no name"));
        assert!(report.rejected[2].reason.contains("9 cells"));

        // Dates known to the month stay so, for the birth and for the death.
        let (line, id) = report.imported[0];
        assert_eq!(line, 2);
        let case = registry.show(id).expect("show").expect("person");
        let person = &case.person.person;
        assert_eq!(person.birth, Some(PartialDate::month(1991, 4)));
        assert_eq!(person.names.len(), 2);
        assert_eq!(
            person.birthplace.district.as_deref(),
            Some("Ак-Жарский район")
        );
        assert_eq!(person.contacts[0].value, "+996 555 804 317");
        assert_eq!(case.events.len(), 1);
        assert_eq!(case.events[0].event.kind, CaseEventKind::Death);
        assert_eq!(case.events[0].event.date, Some(PartialDate::month(2023, 3)));
        assert_eq!(case.sources.len(), 1);
        assert!(case.sources[0].1.reference.contains("line 2"));
        let second = registry
            .person(report.imported[1].1)
            .expect("read")
            .expect("there");
        assert_eq!(
            second.person.citizenships,
            vec!["RU".to_owned(), "KG".to_owned()]
        );

        // A mapping to a column the file lacks stops before anything is imported.
        let before = registry.store().person_count().expect("count");
        let wrong = ColumnMapping::parse(&["Имя=name".into()]).expect("mapping");
        let error = import_csv(&registry, &csv, &wrong).expect_err("no such column");
        assert!(error.to_string().contains("Имя"), "{error}");
        assert_eq!(registry.store().person_count().expect("count"), before);
        assert!(ColumnMapping::parse(&["ФИО=nickname".into()]).is_err());
    });
}

#[test]
fn a_merge_is_recorded_and_undone() {
    on_both("cases_merge", |b| {
        let registry = b.registry("main.key").expect("open");
        let kept = registry
            .add_person(&other_person("Жоробеков Алмаз"))
            .expect("add");
        let merged = registry
            .add_person(&other_person("Jorobekov Almaz"))
            .expect("add");
        registry
            .add_event(
                &Event {
                    kind: CaseEventKind::Disappearance,
                    date: Some(PartialDate::month(2023, 6)),
                    place: Place::default(),
                    details: EventDetails::default(),
                    sources: vec![],
                },
                &[Involvement {
                    party: Party::Person(merged),
                    role: InvolvementRole::Victim,
                }],
            )
            .expect("event");
        let before_kept = registry.show(kept).expect("show").expect("kept");
        let before_merged = registry.show(merged).expect("show").expect("merged");
        let found: Vec<i64> = registry
            .find_by_name("Jorobekov Almaz", 5)
            .expect("find")
            .iter()
            .map(|c| c.id)
            .collect();
        assert!(
            found.contains(&kept) && found.contains(&merged),
            "{found:?}"
        );

        let merge = registry.merge(kept, merged, "caseworker-a").expect("merge");
        let case = registry.show(kept).expect("show").expect("kept");
        assert_eq!(case.merged.len(), 1);
        assert_eq!(case.merged[0].id, merged);
        assert_eq!(
            case.events.len(),
            1,
            "the merged person's events join the case"
        );
        assert_eq!(
            registry
                .person(merged)
                .expect("read")
                .expect("kept in the store")
                .merged_into,
            Some(kept)
        );
        let found: Vec<i64> = registry
            .find_by_name("Jorobekov Almaz", 5)
            .expect("find")
            .iter()
            .map(|c| c.id)
            .collect();
        assert_eq!(found, vec![kept]);
        // Merging again, or into a merged person, is refused.
        assert!(registry.merge(kept, merged, "caseworker-a").is_err());
        assert!(registry.merge(merged, kept, "caseworker-a").is_err());
        assert!(registry.merge(kept, kept, "caseworker-a").is_err());

        let undone = registry.unmerge(merge, "caseworker-b").expect("unmerge");
        assert_eq!(undone.undone_by.as_deref(), Some("caseworker-b"));
        assert!(registry.unmerge(merge, "caseworker-b").is_err());
        let after_kept = registry.show(kept).expect("show").expect("kept");
        let after_merged = registry.show(merged).expect("show").expect("merged");
        assert_eq!(after_kept.person, before_kept.person);
        assert_eq!(after_kept.events, before_kept.events);
        assert!(after_kept.merged.is_empty());
        assert_eq!(after_merged.person, before_merged.person);
        assert_eq!(after_merged.events, before_merged.events);
        // The decision and its undoing stay on record.
        assert_eq!(after_kept.merges.len(), 1);
        assert_eq!(after_kept.merges[0].decided_by, "caseworker-a");
        assert!(after_kept.merges[0].undone_at.is_some());
    });
}
