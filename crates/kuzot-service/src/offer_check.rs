//! The offer checker's use cases (issue 14): what a pasted text is, in the few kinds a
//! migrant needs to tell apart, which legal statements concern the reader, and keeping a
//! text for researchers only when its sender agreed.
//!
//! The kind comes from the engine's category AND genre: a news item, a warning or a
//! testimony about recruitment is "not an offer" whatever it talks about, because the
//! engine gives every genre but `ad` the category `other` (its topic keeps the subject).

use std::path::{Path, PathBuf};

use kuzot_analysis::Engine;
use kuzot_model::law::{Audience, Statement, Statements, Topic};
use kuzot_model::{Analysis, Category, Genre, Promise, SourceFormat};
use kuzot_search::SearchIndex;
use kuzot_store::Store;

use crate::{IngestOptions, NoProgress, ServiceError};

/// What a checked text is, in the words of the checker's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OfferKind {
    /// Contract service in the Russian army.
    MilitaryContract,
    /// A private military company.
    Pmc,
    /// A civilian-sounding job that is military service.
    DisguisedMilitary,
    /// Labour at the front: trenches, fortifications, burials.
    FrontlineLabour,
    /// Work in occupied Ukrainian territory.
    OccupiedWork,
    /// An ordinary job with no sign of the war.
    OrdinaryJob,
    /// Not an offer: news, a warning, a testimony, a question, a chat.
    NotAnOffer,
}

impl OfferKind {
    /// Every kind, risk kinds first.
    pub const ALL: [OfferKind; 7] = [
        OfferKind::MilitaryContract,
        OfferKind::Pmc,
        OfferKind::DisguisedMilitary,
        OfferKind::FrontlineLabour,
        OfferKind::OccupiedWork,
        OfferKind::OrdinaryJob,
        OfferKind::NotAnOffer,
    ];

    /// The stable id used in the API and the catalogues.
    pub fn as_str(self) -> &'static str {
        match self {
            OfferKind::MilitaryContract => "military_contract",
            OfferKind::Pmc => "pmc",
            OfferKind::DisguisedMilitary => "disguised_military",
            OfferKind::FrontlineLabour => "frontline_labour",
            OfferKind::OccupiedWork => "occupied_work",
            OfferKind::OrdinaryJob => "ordinary_job",
            OfferKind::NotAnOffer => "not_an_offer",
        }
    }

    /// Whether the kind is a risk (recruitment into the war or work it serves).
    pub fn is_risk(self) -> bool {
        !matches!(self, OfferKind::OrdinaryJob | OfferKind::NotAnOffer)
    }

    /// The kind of an analysis: its category when its genre is an ad, else not an offer.
    pub fn of(analysis: &Analysis) -> OfferKind {
        if analysis.genre_or_infer() != Genre::Ad {
            return OfferKind::NotAnOffer;
        }
        match analysis.category {
            Category::MilitaryContract => OfferKind::MilitaryContract,
            Category::Pmc => OfferKind::Pmc,
            Category::DisguisedMilitary => OfferKind::DisguisedMilitary,
            Category::FrontlineLabour => OfferKind::FrontlineLabour,
            Category::OccupiedReconstruction => OfferKind::OccupiedWork,
            Category::JobOther => OfferKind::OrdinaryJob,
            Category::Other => OfferKind::NotAnOffer,
        }
    }
}

/// A country whose citizens the checker speaks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Country {
    /// Kyrgyzstan.
    Kg,
    /// Uzbekistan.
    Uz,
    /// Tajikistan.
    Tg,
}

impl Country {
    /// Every country, in the order of the form.
    pub const ALL: [Country; 3] = [Country::Kg, Country::Uz, Country::Tg];

    /// The stable id (`kg`, `uz`, `tg`).
    pub fn as_str(self) -> &'static str {
        match self {
            Country::Kg => "kg",
            Country::Uz => "uz",
            Country::Tg => "tg",
        }
    }

    /// Parses the stable id.
    pub fn parse(id: &str) -> Option<Country> {
        Country::ALL.into_iter().find(|c| c.as_str() == id)
    }
}

/// The reader's citizenship: a country, and whether he also holds a Russian passport.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Citizenship {
    /// The home country.
    pub country: Country,
    /// Also a Russian citizen.
    pub russian_too: bool,
}

impl Citizenship {
    /// Parses `kg`, `uz`, `tg`, or the same with `+ru` (`kg+ru`).
    pub fn parse(id: &str) -> Option<Citizenship> {
        let (country, russian_too) = match id.strip_suffix("+ru") {
            Some(country) => (country, true),
            None => (id, false),
        };
        Some(Citizenship {
            country: Country::parse(country)?,
            russian_too,
        })
    }

    /// The stable id (`kg`, `kg+ru`…).
    pub fn id(self) -> String {
        if self.russian_too {
            format!("{}+ru", self.country.as_str())
        } else {
            self.country.as_str().to_owned()
        }
    }
}

/// The checker's answer for one text.
#[derive(Debug, Clone)]
pub struct OfferCheck {
    /// What the text is.
    pub kind: OfferKind,
    /// The engine's analysis (cues with their spans, facts, genre).
    pub analysis: Analysis,
    /// The promises found, each once, in the engine's order.
    pub promises: Vec<Promise>,
    /// The legal statements that concern the reader for this kind of offer, in file order.
    pub statements: Vec<Statement>,
}

/// The topics of law an offer of `kind` raises for `citizenship`, given what the text
/// names (an occupied place, a promised Russian passport).
fn legal_topics(kind: OfferKind, analysis: &Analysis, citizenship: Citizenship) -> Vec<Topic> {
    let mut topics = Vec::new();
    match kind {
        OfferKind::MilitaryContract | OfferKind::Pmc | OfferKind::DisguisedMilitary => {
            topics.push(Topic::Fighting);
        }
        // Front-line work is mostly in occupied regions (DOMAIN.md); the statement on
        // entering them is worded for whoever goes there.
        OfferKind::FrontlineLabour | OfferKind::OccupiedWork => {
            topics.push(Topic::OccupiedTerritory);
        }
        OfferKind::OrdinaryJob | OfferKind::NotAnOffer => return topics,
    }
    if analysis.facts.occupied() && !topics.contains(&Topic::OccupiedTerritory) {
        topics.push(Topic::OccupiedTerritory);
    }
    if citizenship.russian_too || analysis.facts.promises.contains(&Promise::Citizenship) {
        topics.push(Topic::RussianCitizenship);
    }
    topics
}

/// Whom the law speaks to, for this reader.
fn audiences(citizenship: Citizenship) -> Vec<Audience> {
    let mut audiences = vec![
        match citizenship.country {
            Country::Kg => Audience::CitizenKg,
            Country::Uz => Audience::CitizenUz,
            Country::Tg => Audience::CitizenTg,
        },
        Audience::ForeignRecruit,
        Audience::EntersOccupied,
    ];
    if citizenship.russian_too {
        audiences.push(Audience::RussianCitizen);
    }
    audiences
}

/// Checks one text: the engine's analysis, the kind, the promises and the statements of
/// `law` that concern a reader of `citizenship`. Pure: nothing is stored or logged.
pub fn check_offer(
    engine: &Engine,
    law: &Statements,
    text: &str,
    citizenship: Citizenship,
) -> OfferCheck {
    let analysis = engine.analyze(text);
    let kind = OfferKind::of(&analysis);
    let topics = legal_topics(kind, &analysis, citizenship);
    let statements = law
        .concerning(&audiences(citizenship), &topics)
        .into_iter()
        .cloned()
        .collect();
    let mut promises: Vec<Promise> = Vec::new();
    for p in &analysis.facts.promises {
        if !promises.contains(p) {
            promises.push(*p);
        }
    }
    OfferCheck {
        kind,
        analysis,
        promises,
        statements,
    }
}

/// The name the kept file of a text submitted through the checker gets: what its
/// provenance shows (with the operator [`SUBMITTED_OPERATOR`]).
pub const SUBMITTED_FILE_NAME: &str = "submitted-through-check.txt";

/// The operator recorded for texts kept from the checker.
pub const SUBMITTED_OPERATOR: &str = "submitted through /check";

/// Keeps a text its sender agreed to give researchers: written to a file of its own under
/// `work_dir`, imported through the ordinary import use case as one plain-text source
/// (kept byte for byte, analysed, indexed) with the operator "submitted through /check",
/// then the working file is removed. Returns the number of documents added (0 when the
/// same text was given before).
pub fn keep_submitted_text(
    store: &mut Store,
    index: &SearchIndex,
    engine: &Engine,
    work_dir: &Path,
    random_name: &str,
    text: &str,
    limits: kuzot_ingest::ReadLimits,
) -> Result<u64, ServiceError> {
    let dir: PathBuf = work_dir.join(random_name);
    let io = |path: &Path, e: std::io::Error| ServiceError::Path {
        path: path.to_owned(),
        reason: e.to_string(),
    };
    std::fs::create_dir_all(&dir).map_err(|e| io(&dir, e))?;
    let path = dir.join(SUBMITTED_FILE_NAME);
    let written = std::fs::write(&path, text.as_bytes()).map_err(|e| io(&path, e));
    let result = written.and_then(|()| {
        let options = IngestOptions {
            format: Some(SourceFormat::PlainText),
            operator: SUBMITTED_OPERATOR.into(),
            limits,
            ..IngestOptions::default()
        };
        crate::ingest_and_index(
            store,
            index,
            std::slice::from_ref(&path),
            &options,
            Some(engine),
            &NoProgress,
        )
    });
    // The working copy goes whatever happened: the store keeps its own copy.
    let _ = std::fs::remove_dir_all(&dir);
    let done = result?;
    // An index that failed to follow catches up at the server's next follow (every 1.5 s):
    // the text is stored, which is what the sender was told.
    Ok(done.summary.totals().added)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn citizenship_ids_round_trip() {
        for id in ["kg", "uz", "tg", "kg+ru", "uz+ru", "tg+ru"] {
            assert_eq!(Citizenship::parse(id).expect(id).id(), id);
        }
        for bad in ["", "ru", "kz", "kg+", "kg+ua", "KG"] {
            assert!(Citizenship::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn news_about_recruitment_is_not_an_offer_and_raises_no_law() {
        let engine = Engine::new();
        let law = Statements::shipped().expect("law file");
        let kg = Citizenship::parse("kg").expect("kg");
        let ad = check_offer(
            &engine,
            &law,
            "Служба по контракту в Министерстве обороны! Единовременная выплата 195 000 рублей, \
             статус ветерана боевых действий, гражданство РФ для вас и семьи. Звоните: +7 912 604-18-27",
            kg,
        );
        assert_eq!(
            ad.kind,
            OfferKind::MilitaryContract,
            "{:?}",
            ad.analysis.cues
        );
        assert!(ad.statements.iter().any(|s| s.id == "kg-mercenarism"));
        assert!(ad.promises.contains(&Promise::Citizenship));
        let news = check_offer(
            &engine,
            &law,
            "В Москве полиция задержала мигрантов и, по данным правозащитников, пыталась \
             склонить их к подписанию контракта с Минобороны, сообщили журналисты.",
            kg,
        );
        assert_eq!(news.kind, OfferKind::NotAnOffer);
        assert!(news.statements.is_empty());
    }

    #[test]
    fn a_dual_citizen_gets_the_russian_statements() {
        let engine = Engine::new();
        let law = Statements::shipped().expect("law file");
        let text =
            "Набираем на контракт с МО РФ, выплаты 200 000 в месяц, звоните +7 912 604-18-27";
        let single = check_offer(&engine, &law, text, Citizenship::parse("uz").expect("uz"));
        let dual = check_offer(
            &engine,
            &law,
            text,
            Citizenship::parse("uz+ru").expect("uz+ru"),
        );
        let has = |c: &OfferCheck, id: &str| c.statements.iter().any(|s| s.id == id);
        assert!(has(&single, "uz-mercenarism"));
        assert!(!has(&single, "ru-electronic-summons"));
        assert!(has(&dual, "ru-electronic-summons"));
        assert!(!has(&dual, "kg-mercenarism"));
    }
}
