//! Byte ranges of a download (RFC 9110, `Range` and `If-Range`): a lawyer fetching a
//! multi-gigabyte export over a poor connection resumes where the transfer broke instead of
//! starting again. Kept source files never change (they are named by their SHA-256), so the
//! hash is a strong validator and a resumed download joins the first part exactly.
//!
//! Only single ranges are served; a request for several gets the whole file, which the
//! standard allows, rather than a multipart body that download tools rarely ask for.

use axum::http::HeaderValue;

/// What to send for a download of `size` bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RangeAnswer {
    /// The whole file, 200.
    Whole,
    /// Bytes `start..=end`, 206 with `Content-Range`.
    Part {
        /// First byte sent.
        start: u64,
        /// Last byte sent (inclusive).
        end: u64,
    },
    /// 416 with `Content-Range: bytes */size`.
    Unsatisfiable,
}

/// The entity tag of a kept file: its SHA-256, quoted.
pub fn entity_tag(sha256: &str) -> String {
    format!("\"{sha256}\"")
}

/// Decides what a request with these `Range` and `If-Range` headers gets.
pub fn answer(
    range: Option<&HeaderValue>,
    if_range: Option<&HeaderValue>,
    etag: &str,
    size: u64,
) -> RangeAnswer {
    let Some(range) = range.and_then(|r| r.to_str().ok()) else {
        return RangeAnswer::Whole;
    };
    // A validator that does not match means the client holds another file: send this one
    // whole. A date as validator is weak, and never matches here either.
    if let Some(validator) = if_range
        && validator.as_bytes() != etag.as_bytes()
    {
        return RangeAnswer::Whole;
    }
    if size == 0 {
        return RangeAnswer::Whole;
    }
    // A header that is not a byte range (another unit, broken syntax) is ignored.
    let Ok(parsed) = http_range_header::parse_range_header(range) else {
        return RangeAnswer::Whole;
    };
    match parsed.validate(size) {
        Ok(ranges) => match ranges.as_slice() {
            [one] => RangeAnswer::Part {
                start: *one.start(),
                end: *one.end(),
            },
            _ => RangeAnswer::Whole,
        },
        // A suffix longer than the file means the whole file.
        Err(http_range_header::RangeUnsatisfiableError::FileSuffixOutOfBounds) => {
            RangeAnswer::Whole
        }
        Err(_) => RangeAnswer::Unsatisfiable,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ask(range: &str, size: u64) -> RangeAnswer {
        answer(
            Some(&HeaderValue::from_str(range).expect("header")),
            None,
            "\"ab\"",
            size,
        )
    }

    #[test]
    fn single_ranges_are_served_and_others_are_answered_whole_or_refused() {
        assert_eq!(
            ask("bytes=0-9", 100),
            RangeAnswer::Part { start: 0, end: 9 }
        );
        assert_eq!(
            ask("bytes=90-", 100),
            RangeAnswer::Part { start: 90, end: 99 }
        );
        assert_eq!(
            ask("bytes=-10", 100),
            RangeAnswer::Part { start: 90, end: 99 }
        );
        assert_eq!(
            ask("bytes=50-1000", 100),
            RangeAnswer::Part { start: 50, end: 99 }
        );
        assert_eq!(ask("bytes=-1000", 100), RangeAnswer::Whole);
        assert_eq!(ask("bytes=0-1,5-6", 100), RangeAnswer::Whole);
        assert_eq!(ask("items=0-1", 100), RangeAnswer::Whole);
        assert_eq!(ask("bytes=x-y", 100), RangeAnswer::Whole);
        assert_eq!(ask("bytes=0-0", 0), RangeAnswer::Whole);
        assert_eq!(ask("bytes=100-", 100), RangeAnswer::Unsatisfiable);
        assert_eq!(ask("bytes=9-3", 100), RangeAnswer::Unsatisfiable);
        assert_eq!(answer(None, None, "\"ab\"", 100), RangeAnswer::Whole);
    }

    #[test]
    fn if_range_must_name_this_file() {
        let range = HeaderValue::from_static("bytes=10-");
        let this = HeaderValue::from_static("\"ab\"");
        let other = HeaderValue::from_static("\"cd\"");
        let date = HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT");
        assert_eq!(
            answer(Some(&range), Some(&this), "\"ab\"", 100),
            RangeAnswer::Part { start: 10, end: 99 }
        );
        assert_eq!(
            answer(Some(&range), Some(&other), "\"ab\"", 100),
            RangeAnswer::Whole
        );
        assert_eq!(
            answer(Some(&range), Some(&date), "\"ab\"", 100),
            RangeAnswer::Whole
        );
    }
}
