//! The legal statements: what the law says about a person's risk, in plain words, each with
//! its citation, its source and the date it was checked (`data/legal_statements.toml`).
//!
//! One reviewed file serves every page that states the law (the public offer checker and
//! "know your rights" pages, later the case registry), so that a statement is corrected in
//! one place. [`Statements::shipped`] parses the file built into the binary;
//! [`Statements::parse`] refuses any statement without a citation, a source, a valid date
//! of check or its text in English, Russian and Kyrgyz, so a careless edit fails the tests
//! instead of reaching a reader.

use serde::Deserialize;

/// The statements file built into kuzot.
pub const SHIPPED: &str = include_str!("../data/legal_statements.toml");

/// The contacts file built into kuzot (whom to call, for the "know your rights" page).
pub const SHIPPED_CONTACTS: &str = include_str!("../data/rights_contacts.toml");

/// Whose law a statement states.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Jurisdiction {
    /// The Russian Federation.
    Ru,
    /// The Kyrgyz Republic.
    Kg,
    /// The Republic of Uzbekistan.
    Uz,
    /// The Republic of Tajikistan.
    Tg,
    /// Ukraine.
    Ua,
}

impl Jurisdiction {
    /// The stable id (`ru`, `kg`, `uz`, `tg`, `ua`).
    pub fn as_str(self) -> &'static str {
        match self {
            Jurisdiction::Ru => "ru",
            Jurisdiction::Kg => "kg",
            Jurisdiction::Uz => "uz",
            Jurisdiction::Tg => "tg",
            Jurisdiction::Ua => "ua",
        }
    }
}

/// Whom a statement concerns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    /// A citizen of Kyrgyzstan, wherever he lives.
    CitizenKg,
    /// A citizen of Uzbekistan.
    CitizenUz,
    /// A citizen of Tajikistan.
    CitizenTg,
    /// Anyone who (also) holds Russian citizenship.
    RussianCitizen,
    /// Any foreign citizen offered service in Russia.
    ForeignRecruit,
    /// Anyone entering occupied Ukrainian territory.
    EntersOccupied,
}

/// When a statement matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Topic {
    /// Military service, a private military company, a job that is really service.
    Fighting,
    /// Work in, or entry into, occupied Ukrainian territory.
    OccupiedTerritory,
    /// Getting or holding a Russian passport.
    RussianCitizenship,
}

/// The plain-words text of a statement per language.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatementText {
    /// English.
    pub en: String,
    /// Russian.
    pub ru: String,
    /// Kyrgyz.
    pub ky: String,
    /// Uzbek (Latin), where written.
    #[serde(default)]
    pub uz: Option<String>,
    /// Tajik, where written.
    #[serde(default)]
    pub tg: Option<String>,
}

impl StatementText {
    /// The text in `lang` (`en`, `ru`, `ky`, `uz`, `tg`), else Russian for Uzbek and Tajik
    /// readers (the language most of them read in Russia), else English.
    pub fn get(&self, lang: &str) -> &str {
        match lang {
            "ru" => &self.ru,
            "ky" => &self.ky,
            "uz" => self.uz.as_deref().unwrap_or(&self.ru),
            "tg" => self.tg.as_deref().unwrap_or(&self.ru),
            _ => &self.en,
        }
    }
}

/// One legal statement.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Statement {
    /// Stable id (lower case letters, digits, dashes).
    pub id: String,
    /// Whose law.
    pub jurisdiction: Jurisdiction,
    /// Whom it concerns.
    pub applies_to: Vec<Audience>,
    /// When it matters.
    pub topics: Vec<Topic>,
    /// The law and article, with its date.
    pub citation: String,
    /// Whether the article was read in the code or in a text quoting it; when false the
    /// pages say that the article was not checked.
    pub article_checked: bool,
    /// Where the statement was read.
    pub source: String,
    /// When it was last compared with its source (`YYYY-MM-DD`).
    pub checked: String,
    /// The statement in plain words.
    pub text: StatementText,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    statement: Vec<Statement>,
}

/// Every statement of the file, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statements {
    /// In the file's order.
    pub all: Vec<Statement>,
}

/// Why a statements file was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LawFileError(pub String);

impl std::fmt::Display for LawFileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "legal statements: {}", self.0)
    }
}

impl std::error::Error for LawFileError {}

/// Whether `s` is a real calendar date written `YYYY-MM-DD`.
fn is_date(s: &str) -> bool {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    s.len() == 10 && time::Date::parse(s, &format).is_ok()
}

impl Statements {
    /// The statements built into kuzot.
    pub fn shipped() -> Result<Statements, LawFileError> {
        Statements::parse(SHIPPED)
    }

    /// Parses and validates a statements file.
    pub fn parse(toml_text: &str) -> Result<Statements, LawFileError> {
        let file: File = toml::from_str(toml_text).map_err(|e| LawFileError(e.to_string()))?;
        let mut seen = std::collections::HashSet::new();
        for s in &file.statement {
            let id = &s.id;
            let well_formed = !id.is_empty()
                && id
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
            if !well_formed {
                return Err(LawFileError(format!(
                    "id {id:?}: use lower-case letters, digits and dashes"
                )));
            }
            if !seen.insert(id.clone()) {
                return Err(LawFileError(format!("id {id:?} appears twice")));
            }
            let refuse = |what: &str| Err(LawFileError(format!("{id}: {what}")));
            if s.citation.trim().is_empty() {
                return refuse("no citation (law, article, date)");
            }
            if s.source.trim().is_empty() {
                return refuse("no source (where the statement was read)");
            }
            if !is_date(&s.checked) {
                return refuse("`checked` must be the date of the last check, YYYY-MM-DD");
            }
            if s.applies_to.is_empty() || s.topics.is_empty() {
                return refuse("`applies_to` and `topics` may not be empty");
            }
            let texts = [
                ("en", Some(&s.text.en)),
                ("ru", Some(&s.text.ru)),
                ("ky", Some(&s.text.ky)),
                ("uz", s.text.uz.as_ref()),
                ("tg", s.text.tg.as_ref()),
            ];
            for (lang, text) in texts {
                let required = matches!(lang, "en" | "ru" | "ky");
                match text {
                    Some(t) if t.trim().is_empty() => {
                        return refuse(&format!("empty text in {lang}"));
                    }
                    None if required => return refuse(&format!("no text in {lang}")),
                    _ => {}
                }
            }
        }
        if file.statement.is_empty() {
            return Err(LawFileError("the file holds no statement".into()));
        }
        Ok(Statements {
            all: file.statement,
        })
    }

    /// The statement with this id.
    pub fn get(&self, id: &str) -> Option<&Statement> {
        self.all.iter().find(|s| s.id == id)
    }

    /// The statements that concern any of `audiences` on any of `topics`, in file order.
    pub fn concerning(&self, audiences: &[Audience], topics: &[Topic]) -> Vec<&Statement> {
        self.all
            .iter()
            .filter(|s| s.applies_to.iter().any(|a| audiences.contains(a)))
            .filter(|s| s.topics.iter().any(|t| topics.contains(t)))
            .collect()
    }
}

/// What a contact is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContactKind {
    /// An embassy or consulate.
    Consulate,
    /// A telephone hotline.
    Hotline,
    /// A trade union.
    TradeUnion,
    /// A non-governmental organisation.
    Ngo,
}

/// One contact of the "know your rights" page.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    /// Stable id.
    pub id: String,
    /// What it is.
    pub kind: ContactKind,
    /// Whose citizens it serves: `kg`, `uz`, `tg` or `any`.
    pub country: String,
    /// The organisation's name per language.
    pub name: StatementText,
    /// The number to call.
    #[serde(default)]
    pub phone: Option<String>,
    /// The organisation's own page.
    #[serde(default)]
    pub url: Option<String>,
    /// Where the entry was read.
    pub source: String,
    /// When it was last checked (`YYYY-MM-DD`).
    pub checked: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ContactsFile {
    #[serde(default)]
    contact: Vec<Contact>,
}

/// The contacts file, validated.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Contacts {
    /// In the file's order.
    pub all: Vec<Contact>,
}

impl Contacts {
    /// The contacts built into kuzot.
    pub fn shipped() -> Result<Contacts, LawFileError> {
        Contacts::parse(SHIPPED_CONTACTS)
    }

    /// Parses and validates a contacts file: every entry needs a source, a date of check,
    /// a phone or an address to reach it, and a country kuzot knows.
    pub fn parse(toml_text: &str) -> Result<Contacts, LawFileError> {
        let file: ContactsFile =
            toml::from_str(toml_text).map_err(|e| LawFileError(e.to_string()))?;
        for c in &file.contact {
            let refuse = |what: &str| Err(LawFileError(format!("contact {}: {what}", c.id)));
            if c.source.trim().is_empty() {
                return refuse("no source");
            }
            if !is_date(&c.checked) {
                return refuse("`checked` must be YYYY-MM-DD");
            }
            if !matches!(c.country.as_str(), "kg" | "uz" | "tg" | "any") {
                return refuse("country must be kg, uz, tg or any");
            }
            let reachable = c.phone.as_deref().is_some_and(|p| !p.trim().is_empty())
                || c.url.as_deref().is_some_and(|u| u.starts_with("https://"));
            if !reachable {
                return refuse("needs a phone or an https:// address");
            }
        }
        Ok(Contacts { all: file.contact })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
[[statement]]
id = "kg-example"
jurisdiction = "kg"
applies_to = ["citizen_kg"]
topics = ["fighting"]
citation = "Criminal Code, art. 1"
article_checked = true
source = "DOMAIN.md"
checked = "2026-12-07"
[statement.text]
en = "e"
ru = "р"
ky = "к"
"#;

    #[test]
    fn the_shipped_file_is_valid_and_covers_every_citizenship() {
        let statements = Statements::shipped().expect("the shipped file validates");
        for audience in [
            Audience::CitizenKg,
            Audience::CitizenUz,
            Audience::CitizenTg,
        ] {
            assert!(
                !statements
                    .concerning(&[audience], &[Topic::Fighting])
                    .is_empty(),
                "no statement on fighting for {audience:?}"
            );
        }
        assert!(
            !statements
                .concerning(&[Audience::RussianCitizen], &[Topic::RussianCitizenship])
                .is_empty()
        );
        assert!(
            !statements
                .concerning(&[Audience::EntersOccupied], &[Topic::OccupiedTerritory])
                .is_empty()
        );
        // Where the articles were not read, the file says so rather than invent them.
        for id in ["uz-mercenarism", "tg-mercenarism"] {
            let s = statements.get(id).expect(id);
            assert!(!s.article_checked, "{id}");
            assert!(
                !s.citation.contains("art."),
                "{id} names an unchecked article"
            );
        }
    }

    #[test]
    fn every_shipped_statement_reads_in_uzbek_and_tajik() {
        let statements = Statements::shipped().expect("the shipped file validates");
        for s in &statements.all {
            let uz = s.text.uz.as_deref().unwrap_or_default();
            let tg = s.text.tg.as_deref().unwrap_or_default();
            assert!(!uz.trim().is_empty(), "{}: no Uzbek text", s.id);
            assert!(!tg.trim().is_empty(), "{}: no Tajik text", s.id);
            // Uzbek in the official Latin script: no Cyrillic, and oʻ/gʻ written with
            // U+02BB rather than a quote mark that fonts and search treat differently.
            assert!(
                !uz.chars().any(|c| ('\u{400}'..='\u{4ff}').contains(&c)),
                "{}: Cyrillic in the Uzbek text",
                s.id
            );
            for wrong in ["o'", "g'", "o‘", "g‘", "o’", "g’", "oʼ", "gʼ"] {
                assert!(!uz.contains(wrong), "{}: {wrong:?} for oʻ/gʻ", s.id);
            }
            // Tajik Cyrillic, not Russian: its own letters, and no Russian-only ones.
            assert!(
                tg.chars().any(|c| "ғӣқӯҳҷҒӢҚӮҲҶ".contains(c)),
                "{}: the Tajik text has no Tajik letter",
                s.id
            );
            assert!(
                !tg.chars().any(|c| "щыьцЩЫЬЦ".contains(c)),
                "{}: a Russian-only letter in the Tajik text",
                s.id
            );
            // The same numbers as the English text: no fact added or lost.
            let digits = |t: &str| -> Vec<String> {
                t.split(|c: char| !c.is_ascii_digit())
                    .filter(|d| !d.is_empty())
                    .map(str::to_owned)
                    .collect::<std::collections::BTreeSet<_>>()
                    .into_iter()
                    .collect()
            };
            assert_eq!(digits(uz), digits(&s.text.en), "{}: Uzbek numbers", s.id);
            assert_eq!(digits(tg), digits(&s.text.en), "{}: Tajik numbers", s.id);
        }
    }

    #[test]
    fn contacts_need_a_source_and_a_date() {
        assert!(
            Contacts::shipped().is_ok(),
            "the shipped contacts file validates"
        );
        let good = r#"
[[contact]]
id = "c"
kind = "hotline"
country = "kg"
phone = "+996 000"
source = "https://example.org/page"
checked = "2026-12-07"
[contact.name]
en = "e"
ru = "р"
ky = "к"
"#;
        assert_eq!(Contacts::parse(good).expect("valid").all.len(), 1);
        assert!(Contacts::parse(&good.replace("2026-12-07", "soon")).is_err());
        assert!(
            Contacts::parse(
                &good.replace("source = \"https://example.org/page\"", "source = \"\"")
            )
            .is_err()
        );
        assert!(Contacts::parse(&good.replace("phone = \"+996 000\"\n", "")).is_err());
    }

    #[test]
    fn a_good_statement_parses() {
        let s = Statements::parse(GOOD).expect("valid");
        assert_eq!(s.all.len(), 1);
        assert_eq!(s.all[0].text.get("ky"), "к");
        assert_eq!(s.all[0].text.get("uz"), "р", "Uzbek falls back to Russian");
        assert_eq!(s.all[0].text.get("de"), "e");
    }

    #[test]
    fn a_statement_without_citation_or_date_is_refused() {
        let no_citation = GOOD.replace("citation = \"Criminal Code, art. 1\"", "citation = \" \"");
        let e = Statements::parse(&no_citation).expect_err("no citation");
        assert!(e.0.contains("citation"), "{e}");

        let missing_citation = GOOD.replace("citation = \"Criminal Code, art. 1\"\n", "");
        assert!(Statements::parse(&missing_citation).is_err());

        let missing_date = GOOD.replace("checked = \"2026-12-07\"\n", "");
        assert!(Statements::parse(&missing_date).is_err());

        for bad in ["2026-13-07", "07.12.2026", "", "2026-02-30"] {
            let bad_date = GOOD.replace("2026-12-07", bad);
            let e = Statements::parse(&bad_date).expect_err(bad);
            assert!(e.0.contains("checked"), "{bad}: {e}");
        }

        let no_source = GOOD.replace("source = \"DOMAIN.md\"", "source = \"\"");
        assert!(Statements::parse(&no_source).is_err());

        let no_kyrgyz = GOOD.replace("ky = \"к\"\n", "");
        assert!(Statements::parse(&no_kyrgyz).is_err());

        let twice = format!("{GOOD}{GOOD}");
        let e = Statements::parse(&twice).expect_err("duplicate id");
        assert!(e.0.contains("twice"), "{e}");
    }
}
