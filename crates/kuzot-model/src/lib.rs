//! Domain types shared by every kuzot crate.
//!
//! Data moves one way through kuzot: a reader turns the bytes of one source file into
//! [`RawDocument`]s, the analysis engine turns their text into an [`Analysis`], the store
//! keeps both with their [`Provenance`]. This crate holds only those types, so that every
//! stage agrees on them without depending on one another.
//!
//! ```
//! use kuzot_model::{RawDocument, SourcePosition};
//! let doc = RawDocument::new("Требуются охранники", SourcePosition::record(0));
//! assert_eq!(doc.text, "Требуются охранники");
//! assert!(doc.time.is_none());
//! ```

mod analysis;
mod currency;
mod document;
mod index_row;
pub mod law;

pub use analysis::{
    Analysis, Category, Cue, FactSpan, Facts, Genre, Money, MoneyRole, Org, Period, Place, Promise,
    Span,
};
pub use currency::{DAYS_PER_MONTH, HOURS_PER_MONTH, RateTable};
pub use document::{
    AuthorRef, ChatRef, DocumentKind, MediaRef, Provenance, RawDocument, SourceFormat,
    SourcePosition,
};
pub use index_row::IndexRow;
