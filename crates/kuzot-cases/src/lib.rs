//! The case registry's crate. For now it holds the matching of persons across spellings
//! ([`name_match`]): a person's name in Cyrillic or Latin, in Russian, Kyrgyz, Uzbek,
//! Tajik or Kazakh form, under any of the usual transliteration systems, is reduced to
//! comparable forms ([`normalize`]), and a matcher proposes "possibly the same person"
//! with a score and its reasons. It never merges records by itself: that stays a
//! caseworker's decision.

pub mod name_match;
pub mod normalize;
pub mod protect;
pub mod registry;
