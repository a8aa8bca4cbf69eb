//! What the analysis engine says about one text. The serialised shape of [`Facts`] is the
//! prediction schema of the evaluation guide, so that `kuzot analyze` output can be scored
//! as it is; extra fields (scores, cues, spans) are additions the scorer ignores.

use serde::{Deserialize, Serialize};

/// The main purpose of a message (see the labelling guide for the borderline rules).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// Recruitment into the armed forces: contract service with the Ministry of Defence.
    MilitaryContract,
    /// Recruitment into a private military company or irregular formation.
    Pmc,
    /// A vacancy framed as a civilian job whose text shows it is military service.
    DisguisedMilitary,
    /// Civilian labour at or near the front: trenches, fortifications, burials.
    FrontlineLabour,
    /// Civilian work in occupied Ukrainian territories, not at the front.
    OccupiedReconstruction,
    /// Any other job or vacancy.
    JobOther,
    /// Everything that is not an offer: news, warnings, chatter, questions.
    Other,
}

impl Category {
    /// All categories, risk categories first.
    pub const ALL: [Category; 7] = [
        Category::MilitaryContract,
        Category::Pmc,
        Category::DisguisedMilitary,
        Category::FrontlineLabour,
        Category::OccupiedReconstruction,
        Category::JobOther,
        Category::Other,
    ];

    /// The stable id used in labels, the store and the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Category::MilitaryContract => "military_contract",
            Category::Pmc => "pmc",
            Category::DisguisedMilitary => "disguised_military",
            Category::FrontlineLabour => "frontline_labour",
            Category::OccupiedReconstruction => "occupied_reconstruction",
            Category::JobOther => "job_other",
            Category::Other => "other",
        }
    }

    /// Parses the stable id.
    pub fn parse(id: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.as_str() == id)
    }

    /// True for the five categories that draw people into the war.
    pub fn is_risk(self) -> bool {
        !matches!(self, Category::JobOther | Category::Other)
    }

    /// Position in [`Category::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }
}

impl std::fmt::Display for Category {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Who speaks, to whom, to what end: the kind of text a message is, apart from what it is
/// about. Only an [`Genre::Ad`] takes one of the six offer categories; a report, a
/// testimony or a warning about recruitment is [`Category::Other`] with its subject kept in
/// [`Analysis::topic`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Genre {
    /// An offer or a call to act: recruiting, a vacancy, a business's service, a
    /// recruiter's speech or poster.
    Ad,
    /// News, an official statement, an analysis.
    Report,
    /// A first-person account.
    Testimony,
    /// Advice not to go, risk information.
    Warning,
    /// A person looking for work or offering their own services.
    JobSearch,
    /// Conversation, questions, anything else.
    Chatter,
}

impl Genre {
    /// All genres, in the order of the engine's genre scores.
    pub const ALL: [Genre; 6] = [
        Genre::Ad,
        Genre::Report,
        Genre::Testimony,
        Genre::Warning,
        Genre::JobSearch,
        Genre::Chatter,
    ];

    /// The stable id used in labels, the store and the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Genre::Ad => "ad",
            Genre::Report => "report",
            Genre::Testimony => "testimony",
            Genre::Warning => "warning",
            Genre::JobSearch => "job_search",
            Genre::Chatter => "chatter",
        }
    }

    /// Parses the stable id.
    pub fn parse(id: &str) -> Option<Genre> {
        Genre::ALL.into_iter().find(|g| g.as_str() == id)
    }

    /// Position in [`Genre::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }
}

impl std::fmt::Display for Genre {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A byte range `[start, end)` in the original, un-normalised text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub struct Span {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

/// How often an amount is paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    /// Per month.
    Month,
    /// Per day or per shift.
    Day,
    /// Per hour.
    Hour,
    /// Once: a lump sum, a compensation.
    OneTime,
}

/// What an amount of money is for, where the text says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MoneyRole {
    /// Regular pay.
    Salary,
    /// A one-off payment on signing.
    LumpSum,
    /// Payment for injury or death.
    Compensation,
    /// A price or other amount (fees, fines, amounts in news).
    Other,
}

/// An amount or range of money stated in a text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Money {
    /// Lower bound, or the single amount; `None` for "up to X".
    pub min: Option<f64>,
    /// Upper bound of a range or of "up to X"; `None` for a single amount.
    pub max: Option<f64>,
    /// ISO 4217 code (RUB, KZT, USD, KGS, UZS, TJS, EUR, UAH, GBP, …); `None` when the text
    /// states none and its country is not clear. Serialised as `null` then, never left out,
    /// because the prediction line keeps the key.
    pub currency: Option<String>,
    /// True when `currency` was not written at the amount but taken from another amount
    /// of the same text or from the country of the text (its language, places and phone
    /// prefixes): "Маош: 1.790.000" in an Uzbek vacancy is UZS, inferred.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub currency_inferred: bool,
    /// How often it is paid, when stated.
    pub period: Option<Period>,
    /// What it is for, when stated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<MoneyRole>,
    /// Where it was found.
    #[serde(default)]
    pub span: Span,
}

/// A place from the gazetteer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Place {
    /// Canonical lowercase English id (`mariupol`, `donetsk_region`, `new_regions`).
    pub id: String,
    /// True for occupied Ukrainian territory.
    pub occupied: bool,
    /// Where it was first found.
    #[serde(default)]
    pub span: Span,
}

/// An organisation involved in recruitment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Org {
    /// Russian Ministry of Defence (Минобороны, МО РФ).
    MinistryOfDefence,
    /// Wagner group ("оркестр", "музыканты").
    Wagner,
    /// PMC Redut.
    Redut,
    /// PMC Patriot.
    Patriot,
    /// PMC Convoy.
    Convoy,
    /// Akhmat special forces.
    Akhmat,
    /// BARS combat army reserve.
    Bars,
    /// Rosgvardia, the National Guard.
    Rosgvardia,
    /// Zhilishchnik, Moscow district housing services.
    Zhilishchnik,
    /// Sakharovo multifunctional migration centre.
    SakharovoMmc,
}

impl Org {
    /// The stable id.
    pub fn as_str(self) -> &'static str {
        match self {
            Org::MinistryOfDefence => "ministry_of_defence",
            Org::Wagner => "wagner",
            Org::Redut => "redut",
            Org::Patriot => "patriot",
            Org::Convoy => "convoy",
            Org::Akhmat => "akhmat",
            Org::Bars => "bars",
            Org::Rosgvardia => "rosgvardia",
            Org::Zhilishchnik => "zhilishchnik",
            Org::SakharovoMmc => "sakharovo_mmc",
        }
    }
}

/// Something an offer promises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Promise {
    /// Russian passport, fast-track citizenship.
    Citizenship,
    /// One-off signing payment.
    LumpSum,
    /// Accommodation provided.
    Housing,
    /// Meals provided.
    Meals,
    /// Tickets paid.
    Travel,
    /// Combat-veteran status.
    VeteranStatus,
    /// Benefits for children or family.
    FamilyBenefits,
    /// Payment for wounds.
    InjuryCompensation,
    /// Payment to the family on death.
    DeathCompensation,
    /// Official employment, a formal contract.
    OfficialEmployment,
    /// Credit holidays, debt write-off.
    DebtRelief,
    /// Training provided.
    Training,
    /// No experience needed.
    NoExperience,
    /// Freedom, pardon or cleared record for prisoners.
    Release,
}

impl Promise {
    /// The stable id.
    pub fn as_str(self) -> &'static str {
        match self {
            Promise::Citizenship => "citizenship",
            Promise::LumpSum => "lump_sum",
            Promise::Housing => "housing",
            Promise::Meals => "meals",
            Promise::Travel => "travel",
            Promise::VeteranStatus => "veteran_status",
            Promise::FamilyBenefits => "family_benefits",
            Promise::InjuryCompensation => "injury_compensation",
            Promise::DeathCompensation => "death_compensation",
            Promise::OfficialEmployment => "official_employment",
            Promise::DebtRelief => "debt_relief",
            Promise::Training => "training",
            Promise::NoExperience => "no_experience",
            Promise::Release => "release",
        }
    }
}

/// The facts extracted from one text, in the prediction schema of the evaluation guide.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Facts {
    /// Amounts of money, each distinct one once.
    pub money: Vec<Money>,
    /// Places, each once.
    pub places: Vec<Place>,
    /// Phone numbers in E.164 form, each once.
    pub phones: Vec<String>,
    /// Organisations, each once.
    pub orgs: Vec<Org>,
    /// Promises, each once.
    pub promises: Vec<Promise>,
}

impl Facts {
    /// True when any place is occupied territory.
    pub fn occupied(&self) -> bool {
        self.places.iter().any(|p| p.occupied)
    }
}

/// One piece of evidence that moved a category's score: shown to analysts so that every
/// decision can be checked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cue {
    /// The category it speaks for.
    pub category: Category,
    /// The lexicon entry or feature that matched.
    pub cue: String,
    /// How much it added to the score.
    pub weight: f32,
    /// Where it matched in the original text (`None` for whole-text features).
    pub span: Option<Span>,
}

/// Where one extracted fact was found, for highlighting it in the original text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FactSpan {
    /// Which kind of fact: `money`, `place`, `phone`, `org`, `promise`.
    pub fact: String,
    /// The fact's value as in [`Facts`] (place id, E.164 number, org id, promise id, amount).
    pub value: String,
    /// Where in the original text.
    pub span: Span,
}

/// The engine's full result for one text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Analysis {
    /// Main language, ISO 639-1 (`ru`, `ky`, `uz`, `tg`, `kk`, `en`).
    pub lang: String,
    /// Main script (`Cyrl`, `Latn`).
    pub script: String,
    /// The category decided: what the message is. A risk or job category only when
    /// [`Analysis::genre`] is [`Genre::Ad`]; [`Category::Other`] for every other genre.
    pub category: Category,
    /// Who speaks, to what end (analyses stored before genres existed read as `ad` when
    /// their category is an offer, else `chatter`; see [`Analysis::genre_or_infer`]).
    #[serde(default)]
    pub genre: Option<Genre>,
    /// What the message is about, whatever its genre: a report on Wagner recruiting in
    /// prisons is genre `report`, category `other`, topic `pmc`. For an ad it equals the
    /// category.
    #[serde(default)]
    pub topic: Option<Category>,
    /// The genre model's probability that the text is an offer (absent when no genre
    /// model was used).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offer_probability: Option<f32>,
    /// Score per category, in [`Category::ALL`] order.
    pub scores: Vec<f32>,
    /// The cues that decided it.
    pub cues: Vec<Cue>,
    /// Extracted facts.
    pub facts: Facts,
    /// Where each fact was found.
    #[serde(default)]
    pub spans: Vec<FactSpan>,
    /// MinHash signature for near-duplicate detection.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fingerprint: Vec<u32>,
    /// Version of the engine (and model) that produced this.
    pub engine_version: String,
}

impl Analysis {
    /// The genre, or for an analysis stored before genres existed, the one its category
    /// implies: an offer category is an `ad`, `other` is `chatter`.
    pub fn genre_or_infer(&self) -> Genre {
        self.genre.unwrap_or(if self.category == Category::Other {
            Genre::Chatter
        } else {
            Genre::Ad
        })
    }

    /// The topic, or the category where none was stored.
    pub fn topic_or_category(&self) -> Category {
        self.topic.unwrap_or(self.category)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facts_serialise_in_the_prediction_schema() {
        let facts = Facts {
            money: vec![Money {
                min: Some(110000.0),
                max: None,
                currency: Some("RUB".into()),
                currency_inferred: false,
                period: Some(Period::Month),
                role: None,
                span: Span { start: 0, end: 3 },
            }],
            places: vec![Place {
                id: "mariupol".into(),
                occupied: true,
                span: Span::default(),
            }],
            phones: vec!["+79990002233".into()],
            orgs: vec![Org::MinistryOfDefence],
            promises: vec![Promise::Housing],
        };
        let json = serde_json::to_value(&facts).expect("serialises");
        assert_eq!(json["money"][0]["currency"], "RUB");
        assert_eq!(json["money"][0]["period"], "month");
        assert_eq!(json["places"][0]["id"], "mariupol");
        assert_eq!(json["orgs"][0], "ministry_of_defence");
        assert_eq!(json["promises"][0], "housing");
        assert!(facts.occupied());
    }

    #[test]
    fn category_ids_round_trip_and_risk() {
        for c in Category::ALL {
            assert_eq!(Category::parse(c.as_str()), Some(c));
            assert_eq!(Category::ALL[c.index()], c);
        }
        assert!(Category::Pmc.is_risk());
        assert!(!Category::JobOther.is_risk());
    }
}
