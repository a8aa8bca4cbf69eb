//! Line-by-line reading with positions, for the line-oriented formats (WhatsApp, JSONL,
//! plain text). Invalid UTF-8 is reported for the line it is on, not for the whole file.

use std::io::BufRead;

/// One line of input without its line ending.
#[derive(Debug)]
pub(crate) struct Line<'a> {
    /// 1-based line number.
    pub number: u64,
    /// Byte offset of the first byte of the line.
    pub offset: u64,
    /// The text, or the byte offset (within the line) of the first invalid UTF-8 sequence.
    /// Empty when the line is [`Line::oversized`].
    pub text: Result<&'a str, usize>,
    /// The line's length in bytes when it was longer than the reader's limit; its bytes
    /// were skipped, not kept.
    pub oversized: Option<u64>,
}

/// Reads lines from a `BufRead`, reusing one buffer and keeping at most a set number of
/// bytes of any line, so that a file with no line breaks cannot fill memory.
pub(crate) struct LineReader<R> {
    input: R,
    buffer: Vec<u8>,
    number: u64,
    offset: u64,
    max_line_bytes: u64,
}

impl<R: BufRead> LineReader<R> {
    /// A reader that keeps lines of any length (the caller bounds them another way).
    pub(crate) fn new(input: R) -> LineReader<R> {
        LineReader::with_limit(input, u64::MAX)
    }

    /// A reader that skips, and reports as [`Line::oversized`], lines longer than
    /// `max_line_bytes`.
    pub(crate) fn with_limit(input: R, max_line_bytes: u64) -> LineReader<R> {
        LineReader {
            input,
            buffer: Vec::with_capacity(4096),
            number: 0,
            offset: 0,
            max_line_bytes,
        }
    }

    /// The next line, `Ok(None)` at the end of input. A UTF-8 byte-order mark at the very
    /// start of the file is dropped.
    pub(crate) fn next_line(&mut self) -> std::io::Result<Option<Line<'_>>> {
        self.buffer.clear();
        let mut read = 0u64;
        loop {
            let available = match self.input.fill_buf() {
                Ok(bytes) => bytes,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if available.is_empty() {
                break;
            }
            let (taken, ends) = match memchr::memchr(b'\n', available) {
                Some(at) => (at + 1, true),
                None => (available.len(), false),
            };
            read += taken as u64;
            if read <= self.max_line_bytes {
                self.buffer.extend_from_slice(&available[..taken]);
            } else if !self.buffer.is_empty() {
                self.buffer = Vec::new();
            }
            self.input.consume(taken);
            if ends {
                break;
            }
        }
        if read == 0 {
            return Ok(None);
        }
        let offset = self.offset;
        self.offset += read;
        self.number += 1;
        if read > self.max_line_bytes {
            return Ok(Some(Line {
                number: self.number,
                offset,
                text: Ok(""),
                oversized: Some(read),
            }));
        }
        let mut bytes = &self.buffer[..];
        if self.number == 1 {
            bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        }
        bytes = bytes.strip_suffix(b"\n").unwrap_or(bytes);
        bytes = bytes.strip_suffix(b"\r").unwrap_or(bytes);
        let text = std::str::from_utf8(bytes).map_err(|e| e.valid_up_to());
        Ok(Some(Line {
            number: self.number,
            offset,
            text,
            oversized: None,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_carry_numbers_offsets_and_utf8_errors() {
        let input: &[u8] = b"\xEF\xBB\xBFone\r\ntw\xFFo\nthree";
        let mut reader = LineReader::new(input);
        let first = reader.next_line().expect("io").expect("line");
        assert_eq!((first.number, first.offset, first.text), (1, 0, Ok("one")));
        let second = reader.next_line().expect("io").expect("line");
        assert_eq!((second.number, second.offset, second.text), (2, 8, Err(2)));
        let third = reader.next_line().expect("io").expect("line");
        assert_eq!(
            (third.number, third.offset, third.text),
            (3, 13, Ok("three"))
        );
        assert!(reader.next_line().expect("io").is_none());
    }

    #[test]
    fn a_line_over_the_limit_is_reported_not_kept() {
        let input: &[u8] = b"short\n0123456789abcdef\nend";
        let mut reader = LineReader::with_limit(std::io::BufReader::with_capacity(4, input), 8);
        let first = reader.next_line().expect("io").expect("line");
        assert_eq!((first.text, first.oversized), (Ok("short"), None));
        let long = reader.next_line().expect("io").expect("line");
        assert_eq!((long.number, long.offset, long.oversized), (2, 6, Some(17)));
        assert!(reader.buffer.capacity() <= 16, "the long line was not kept");
        let last = reader.next_line().expect("io").expect("line");
        assert_eq!((last.number, last.offset, last.text), (3, 23, Ok("end")));
    }
}
