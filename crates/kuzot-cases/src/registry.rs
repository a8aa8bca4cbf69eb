//! The case registry's model, after HURIDOCS' Events Standard Formats in kuzot's terms:
//! a [`Person`] (every spelling of the name with the source that gave it), [`Event`]s on a
//! timeline, [`Involvement`]s linking persons or organisations to events in a role,
//! [`Source`]s graded for reliability (A–F) and credibility (1–6), and [`Intervention`]s
//! taken for a person (a protest note, a return certificate request).
//!
//! These are the values as a caseworker reads and writes them. Which of their fields are
//! personal, and so sealed at rest, is decided in [`crate::protect`] and the store: the
//! model itself is plain data with serde, the same in memory, in an import and in a sealed
//! field's plaintext.

use serde::{Deserialize, Serialize};

use crate::name_match::{EventKind, PartialDate, PersonEvent, PersonRecord};

/// The registry's identifier of a stored row (a person, an event, a source…).
pub type RowId = i64;

/// A person's sex as the sources give it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    /// Male.
    Male,
    /// Female.
    Female,
}

impl Sex {
    /// Stable identifier.
    pub fn as_str(self) -> &'static str {
        match self {
            Sex::Male => "male",
            Sex::Female => "female",
        }
    }

    /// Parses an identifier, or the usual spellings in a spreadsheet (m/f, м/ж, эркек/аял).
    pub fn parse(text: &str) -> Option<Sex> {
        match text.trim().to_lowercase().as_str() {
            "male" | "m" | "м" | "муж" | "мужской" | "эркек" => Some(Sex::Male),
            "female" | "f" | "ж" | "жен" | "женский" | "аял" => Some(Sex::Female),
            _ => None,
        }
    }
}

/// One spelling of a person's name, and the source that wrote it so.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NameSpelling {
    /// The name as written, in any script.
    pub name: String,
    /// The source that gave this spelling, if recorded.
    pub source: Option<RowId>,
}

/// A place down to the village: each part as written, any part may be unknown.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Place {
    /// Country (e.g. "Kyrgyzstan", "Россия").
    pub country: Option<String>,
    /// Region or oblast.
    pub region: Option<String>,
    /// District (rayon).
    pub district: Option<String>,
    /// Village, town or city.
    pub locality: Option<String>,
}

impl Place {
    /// Whether no part is known.
    pub fn is_empty(&self) -> bool {
        self.country.is_none()
            && self.region.is_none()
            && self.district.is_none()
            && self.locality.is_none()
    }

    /// The known parts, smallest first, joined by commas.
    pub fn describe(&self) -> String {
        [&self.locality, &self.district, &self.region, &self.country]
            .into_iter()
            .flatten()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// How a person or a relative can be reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContactKind {
    /// A phone number.
    Phone,
    /// An e-mail address.
    Email,
    /// A messenger account (Telegram, WhatsApp).
    Messenger,
    /// A postal or home address.
    Address,
}

/// A contact of the person or of someone close to them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    /// What kind of contact.
    pub kind: ContactKind,
    /// The number, address or account.
    pub value: String,
    /// Whose it is when not the person's own (e.g. "mother").
    pub holder: Option<String>,
}

/// A person in the registry.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    /// Every spelling of the name known, each with its source.
    pub names: Vec<NameSpelling>,
    /// Sex, if known.
    pub sex: Option<Sex>,
    /// Birth date, to the precision known.
    pub birth: Option<PartialDate>,
    /// Where the person was born or comes from.
    pub birthplace: Place,
    /// Citizenships as ISO 3166-1 alpha-2 codes ("KG", "RU"): a Kyrgyz citizen who also
    /// holds Russian citizenship falls under other law.
    pub citizenships: Vec<String>,
    /// Contacts of the person and their family.
    pub contacts: Vec<Contact>,
    /// The caseworker's notes.
    pub notes: String,
}

impl Person {
    /// The person as the name matcher sees them, with the dated events of their timeline.
    pub fn match_record(&self, id: RowId, events: &[Event]) -> PersonRecord {
        PersonRecord {
            id: u64::try_from(id).unwrap_or_default(),
            names: self.names.iter().map(|n| n.name.clone()).collect(),
            birth: self.birth,
            district: self.birthplace.district.clone(),
            colony: events.iter().find_map(|e| e.details.colony.clone()),
            events: events
                .iter()
                .filter_map(|e| {
                    Some(PersonEvent {
                        kind: e.kind.match_kind()?,
                        date: e.date?,
                    })
                })
                .collect(),
        }
    }
}

/// What happened, on a person's timeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseEventKind {
    /// Left home for work abroad.
    Migration,
    /// Detained (by police, in a raid).
    Detention,
    /// Convicted and imprisoned (the colony and region in the details).
    Conviction,
    /// Recruited (by whom, where and what was promised in the details).
    Recruitment,
    /// Trained (the place).
    Training,
    /// Sent to the front or a work site (the place).
    Deployment,
    /// Wounded.
    Wounding,
    /// Taken prisoner.
    Captivity,
    /// Died.
    Death,
    /// Went missing.
    Disappearance,
    /// Buried (the place).
    Burial,
    /// Came home.
    Return,
    /// Compensation was promised to the person or the family.
    CompensationPromised,
    /// Compensation was received.
    CompensationReceived,
    /// Wages were withheld.
    WagesWithheld,
}

impl CaseEventKind {
    /// Every kind, in timeline order of a typical case.
    pub const ALL: [CaseEventKind; 15] = [
        CaseEventKind::Migration,
        CaseEventKind::Detention,
        CaseEventKind::Conviction,
        CaseEventKind::Recruitment,
        CaseEventKind::Training,
        CaseEventKind::Deployment,
        CaseEventKind::Wounding,
        CaseEventKind::Captivity,
        CaseEventKind::Death,
        CaseEventKind::Disappearance,
        CaseEventKind::Burial,
        CaseEventKind::Return,
        CaseEventKind::CompensationPromised,
        CaseEventKind::CompensationReceived,
        CaseEventKind::WagesWithheld,
    ];

    /// Stable identifier (also the column value in the store).
    pub fn as_str(self) -> &'static str {
        match self {
            CaseEventKind::Migration => "migration",
            CaseEventKind::Detention => "detention",
            CaseEventKind::Conviction => "conviction",
            CaseEventKind::Recruitment => "recruitment",
            CaseEventKind::Training => "training",
            CaseEventKind::Deployment => "deployment",
            CaseEventKind::Wounding => "wounding",
            CaseEventKind::Captivity => "captivity",
            CaseEventKind::Death => "death",
            CaseEventKind::Disappearance => "disappearance",
            CaseEventKind::Burial => "burial",
            CaseEventKind::Return => "return",
            CaseEventKind::CompensationPromised => "compensation_promised",
            CaseEventKind::CompensationReceived => "compensation_received",
            CaseEventKind::WagesWithheld => "wages_withheld",
        }
    }

    /// Parses an identifier.
    pub fn parse(text: &str) -> Option<CaseEventKind> {
        CaseEventKind::ALL.into_iter().find(|k| k.as_str() == text)
    }

    /// The kind the name matcher compares dates of, if it is one.
    pub fn match_kind(self) -> Option<EventKind> {
        Some(match self {
            CaseEventKind::Detention => EventKind::Detention,
            CaseEventKind::Conviction => EventKind::Conviction,
            CaseEventKind::Recruitment => EventKind::Recruitment,
            CaseEventKind::Deployment => EventKind::Deployment,
            CaseEventKind::Death => EventKind::Death,
            CaseEventKind::Disappearance => EventKind::Disappearance,
            CaseEventKind::Burial => EventKind::Burial,
            CaseEventKind::Return => EventKind::Return,
            _ => return None,
        })
    }
}

/// Who recruited.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecruiterKind {
    /// Russia's defence ministry (a contract with the army).
    MinistryOfDefence,
    /// A private military company.
    PrivateMilitaryCompany,
    /// An employer (a construction firm, an agency).
    Employer,
}

/// What an event's kind calls for: each field applies to some kinds only.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventDetails {
    /// The penal colony (conviction, recruitment from prison), e.g. "IK-19".
    pub colony: Option<String>,
    /// Who recruited (recruitment).
    pub recruiter: Option<RecruiterKind>,
    /// The organisation's name (recruitment, compensation, wages).
    pub organisation: Option<String>,
    /// What was promised (recruitment, compensation), as the source says it.
    pub promised: Option<String>,
    /// A sum, as written with its currency (compensation, wages).
    pub amount: Option<String>,
    /// What the sources say happened, in the caseworker's words.
    pub description: String,
}

/// An event on the timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// What happened.
    pub kind: CaseEventKind,
    /// When, to the precision known.
    pub date: Option<PartialDate>,
    /// Where.
    pub place: Place,
    /// What the kind calls for.
    pub details: EventDetails,
    /// The sources that report it.
    pub sources: Vec<RowId>,
}

/// The part someone played in an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InvolvementRole {
    /// The person it happened to.
    Victim,
    /// Who recruited.
    Recruiter,
    /// Who saw it.
    Witness,
    /// A relative of the victim.
    Relative,
    /// Who told the caseworker.
    Informant,
}

impl InvolvementRole {
    /// Every role.
    pub const ALL: [InvolvementRole; 5] = [
        InvolvementRole::Victim,
        InvolvementRole::Recruiter,
        InvolvementRole::Witness,
        InvolvementRole::Relative,
        InvolvementRole::Informant,
    ];

    /// Stable identifier.
    pub fn as_str(self) -> &'static str {
        match self {
            InvolvementRole::Victim => "victim",
            InvolvementRole::Recruiter => "recruiter",
            InvolvementRole::Witness => "witness",
            InvolvementRole::Relative => "relative",
            InvolvementRole::Informant => "informant",
        }
    }

    /// Parses an identifier.
    pub fn parse(text: &str) -> Option<InvolvementRole> {
        InvolvementRole::ALL
            .into_iter()
            .find(|r| r.as_str() == text)
    }
}

/// Who took part: a person of the registry, or an organisation by name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Party {
    /// A person of the registry.
    Person(RowId),
    /// An organisation (a PMC, a ministry, an employer), by name.
    Organisation(String),
}

/// A party's part in an event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Involvement {
    /// Who.
    pub party: Party,
    /// In what role.
    pub role: InvolvementRole,
}

/// What kind of source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    /// A message or document stored in kuzot (its document id is kept).
    StoredDocument,
    /// A web page.
    Url,
    /// An interview a caseworker held.
    Interview,
    /// What a relative told.
    RelativeAccount,
    /// A row of an imported spreadsheet.
    Spreadsheet,
}

impl SourceKind {
    /// Every kind.
    pub const ALL: [SourceKind; 5] = [
        SourceKind::StoredDocument,
        SourceKind::Url,
        SourceKind::Interview,
        SourceKind::RelativeAccount,
        SourceKind::Spreadsheet,
    ];

    /// Stable identifier.
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::StoredDocument => "stored_document",
            SourceKind::Url => "url",
            SourceKind::Interview => "interview",
            SourceKind::RelativeAccount => "relative_account",
            SourceKind::Spreadsheet => "spreadsheet",
        }
    }

    /// Parses an identifier.
    pub fn parse(text: &str) -> Option<SourceKind> {
        SourceKind::ALL.into_iter().find(|k| k.as_str() == text)
    }
}

/// How reliable a source has proved, on the Admiralty scale investigators use:
/// A (completely reliable) to E (unreliable), F (cannot be judged).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Reliability {
    /// Completely reliable.
    A,
    /// Usually reliable.
    B,
    /// Fairly reliable.
    C,
    /// Not usually reliable.
    D,
    /// Unreliable.
    E,
    /// Reliability cannot be judged.
    F,
}

impl Reliability {
    /// The grade as its letter.
    pub fn letter(self) -> char {
        match self {
            Reliability::A => 'A',
            Reliability::B => 'B',
            Reliability::C => 'C',
            Reliability::D => 'D',
            Reliability::E => 'E',
            Reliability::F => 'F',
        }
    }

    /// Parses a letter (either case).
    pub fn parse(text: &str) -> Option<Reliability> {
        Some(match text.trim().to_ascii_uppercase().as_str() {
            "A" => Reliability::A,
            "B" => Reliability::B,
            "C" => Reliability::C,
            "D" => Reliability::D,
            "E" => Reliability::E,
            "F" => Reliability::F,
            _ => return None,
        })
    }
}

/// How credible the information is: 1 (confirmed by other sources) to 5 (improbable),
/// 6 (truth cannot be judged).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct Credibility(u8);

impl Credibility {
    /// Grade 6: the truth of the information cannot be judged (what an import without
    /// grades records).
    pub const CANNOT_BE_JUDGED: Credibility = Credibility(6);

    /// The grade 1–6, or `None` outside that range.
    pub fn new(grade: u8) -> Option<Credibility> {
        (1..=6).contains(&grade).then_some(Credibility(grade))
    }

    /// The grade, 1–6.
    pub fn grade(self) -> u8 {
        self.0
    }
}

impl TryFrom<u8> for Credibility {
    type Error = String;

    fn try_from(grade: u8) -> Result<Credibility, String> {
        Credibility::new(grade).ok_or_else(|| format!("credibility {grade} is not 1–6"))
    }
}

impl From<Credibility> for u8 {
    fn from(c: Credibility) -> u8 {
        c.0
    }
}

/// Where a statement comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    /// What kind of source.
    pub kind: SourceKind,
    /// The stored document in kuzot, for [`SourceKind::StoredDocument`].
    pub document_id: Option<i64>,
    /// The URL, the interview's or account's description, the spreadsheet and row: may name
    /// people, so it is sealed.
    pub reference: String,
    /// The source's reliability.
    pub reliability: Reliability,
    /// The information's credibility.
    pub credibility: Credibility,
}

/// What was done for a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InterventionKind {
    /// A note of protest.
    ProtestNote,
    /// An appeal to a consulate.
    ConsularAppeal,
    /// A criminal complaint (illegal recruitment, mercenarism).
    CriminalComplaint,
    /// A request for a return certificate.
    ReturnCertificateRequest,
    /// A request to transfer a sentenced person.
    TransferRequest,
    /// A publication in the media.
    MediaPublication,
}

impl InterventionKind {
    /// Every kind.
    pub const ALL: [InterventionKind; 6] = [
        InterventionKind::ProtestNote,
        InterventionKind::ConsularAppeal,
        InterventionKind::CriminalComplaint,
        InterventionKind::ReturnCertificateRequest,
        InterventionKind::TransferRequest,
        InterventionKind::MediaPublication,
    ];

    /// Stable identifier.
    pub fn as_str(self) -> &'static str {
        match self {
            InterventionKind::ProtestNote => "protest_note",
            InterventionKind::ConsularAppeal => "consular_appeal",
            InterventionKind::CriminalComplaint => "criminal_complaint",
            InterventionKind::ReturnCertificateRequest => "return_certificate_request",
            InterventionKind::TransferRequest => "transfer_request",
            InterventionKind::MediaPublication => "media_publication",
        }
    }

    /// Parses an identifier.
    pub fn parse(text: &str) -> Option<InterventionKind> {
        InterventionKind::ALL
            .into_iter()
            .find(|k| k.as_str() == text)
    }
}

/// Where an intervention stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InterventionStatus {
    /// Being written.
    Draft,
    /// Sent to the addressee.
    Sent,
    /// The addressee answered.
    Answered,
    /// It achieved what it asked for.
    Resolved,
    /// Refused or abandoned.
    Closed,
}

impl InterventionStatus {
    /// Every status.
    pub const ALL: [InterventionStatus; 5] = [
        InterventionStatus::Draft,
        InterventionStatus::Sent,
        InterventionStatus::Answered,
        InterventionStatus::Resolved,
        InterventionStatus::Closed,
    ];

    /// Stable identifier.
    pub fn as_str(self) -> &'static str {
        match self {
            InterventionStatus::Draft => "draft",
            InterventionStatus::Sent => "sent",
            InterventionStatus::Answered => "answered",
            InterventionStatus::Resolved => "resolved",
            InterventionStatus::Closed => "closed",
        }
    }

    /// Parses an identifier.
    pub fn parse(text: &str) -> Option<InterventionStatus> {
        InterventionStatus::ALL
            .into_iter()
            .find(|s| s.as_str() == text)
    }
}

/// An intervention for a person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Intervention {
    /// What kind.
    pub kind: InterventionKind,
    /// When sent or published, to the precision known.
    pub date: Option<PartialDate>,
    /// To whom (a ministry, a consulate, a prosecutor's office).
    pub addressee: String,
    /// Where it stands.
    pub status: InterventionStatus,
    /// The caseworker's notes.
    pub notes: String,
}

/// Why a date as written could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateError(pub String);

impl std::fmt::Display for DateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{:?} is not a date (write YYYY, MM.YYYY, YYYY-MM, DD.MM.YYYY or YYYY-MM-DD)",
            self.0
        )
    }
}

impl std::error::Error for DateError {}

/// Reads a date known to the year, month or day as spreadsheets write it: `1994`,
/// `03.1994`, `1994-03`, `12.03.1994`, `1994-03-12` (also with `/`). What is not given
/// stays unknown: "03.1994" is March 1994, never the 1st of March.
pub fn parse_partial_date(text: &str) -> Result<PartialDate, DateError> {
    let bad = || DateError(text.chars().take(40).collect());
    let trimmed = text.trim();
    let parts: Vec<&str> = trimmed.split(['.', '-', '/']).collect();
    let number = |s: &str, digits: std::ops::RangeInclusive<usize>| -> Option<u32> {
        (digits.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    let year_of = |s: &str| {
        number(s, 4..=4)
            .and_then(|y| i32::try_from(y).ok())
            .filter(|y| (1900..=2100).contains(y))
    };
    let month_of = |s: &str| {
        number(s, 1..=2)
            .and_then(|m| u8::try_from(m).ok())
            .filter(|m| (1..=12).contains(m))
    };
    let day_of = |s: &str| {
        number(s, 1..=2)
            .and_then(|d| u8::try_from(d).ok())
            .filter(|d| (1..=31).contains(d))
    };
    let year_first = parts.first().is_some_and(|p| p.len() == 4);
    let date = match (parts.as_slice(), year_first) {
        ([y], _) => PartialDate::year(year_of(y).ok_or_else(bad)?),
        ([y, m], true) => {
            PartialDate::month(year_of(y).ok_or_else(bad)?, month_of(m).ok_or_else(bad)?)
        }
        ([m, y], false) => {
            PartialDate::month(year_of(y).ok_or_else(bad)?, month_of(m).ok_or_else(bad)?)
        }
        ([y, m, d], true) => PartialDate::day(
            year_of(y).ok_or_else(bad)?,
            month_of(m).ok_or_else(bad)?,
            day_of(d).ok_or_else(bad)?,
        ),
        ([d, m, y], false) => PartialDate::day(
            year_of(y).ok_or_else(bad)?,
            month_of(m).ok_or_else(bad)?,
            day_of(d).ok_or_else(bad)?,
        ),
        _ => return Err(bad()),
    };
    if let (Some(month), Some(day)) = (date.month, date.day)
        && day > days_in_month(date.year, month)
    {
        return Err(bad());
    }
    Ok(date)
}

fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 31,
    }
}

/// A partial date as the registry writes it: `1994`, `1994-03`, `1994-03-12`.
pub fn format_partial_date(date: &PartialDate) -> String {
    match (date.month, date.day) {
        (Some(m), Some(d)) => format!("{:04}-{m:02}-{d:02}", date.year),
        (Some(m), None) => format!("{:04}-{m:02}", date.year),
        _ => format!("{:04}", date.year),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_keep_their_precision() {
        assert_eq!(parse_partial_date("1994"), Ok(PartialDate::year(1994)));
        assert_eq!(
            parse_partial_date("03.1994"),
            Ok(PartialDate::month(1994, 3))
        );
        assert_eq!(
            parse_partial_date("1994-03"),
            Ok(PartialDate::month(1994, 3))
        );
        assert_eq!(
            parse_partial_date(" 12.03.1994 "),
            Ok(PartialDate::day(1994, 3, 12))
        );
        assert_eq!(
            parse_partial_date("1994/03/12"),
            Ok(PartialDate::day(1994, 3, 12))
        );
        assert_eq!(format_partial_date(&PartialDate::month(1994, 3)), "1994-03");
    }

    #[test]
    fn impossible_dates_are_refused() {
        for bad in [
            "",
            "94",
            "31.02.1994",
            "13.1994",
            "1994-13-01",
            "abcd",
            "1.2.3.4",
            "0.1994",
        ] {
            assert!(parse_partial_date(bad).is_err(), "{bad:?} was read");
        }
        assert!(parse_partial_date("29.02.1996").is_ok());
        assert!(parse_partial_date("29.02.1995").is_err());
    }

    #[test]
    fn identifiers_round_trip() {
        for kind in CaseEventKind::ALL {
            assert_eq!(CaseEventKind::parse(kind.as_str()), Some(kind));
        }
        for kind in InterventionKind::ALL {
            assert_eq!(InterventionKind::parse(kind.as_str()), Some(kind));
        }
        for kind in SourceKind::ALL {
            assert_eq!(SourceKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(Credibility::new(7), None);
        assert_eq!(Reliability::parse("c"), Some(Reliability::C));
        let json = serde_json::to_string(&Credibility::new(2)).expect("json");
        assert_eq!(json, "2");
        assert!(serde_json::from_str::<Credibility>("9").is_err());
    }
}
