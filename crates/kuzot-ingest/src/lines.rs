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
    pub text: Result<&'a str, usize>,
}

/// Reads lines of any length from a `BufRead`, reusing one buffer.
pub(crate) struct LineReader<R> {
    input: R,
    buffer: Vec<u8>,
    number: u64,
    offset: u64,
}

impl<R: BufRead> LineReader<R> {
    pub(crate) fn new(input: R) -> LineReader<R> {
        LineReader {
            input,
            buffer: Vec::with_capacity(4096),
            number: 0,
            offset: 0,
        }
    }

    /// The next line, `Ok(None)` at the end of input. A UTF-8 byte-order mark at the very
    /// start of the file is dropped.
    pub(crate) fn next_line(&mut self) -> std::io::Result<Option<Line<'_>>> {
        self.buffer.clear();
        let read = self.input.read_until(b'\n', &mut self.buffer)?;
        if read == 0 {
            return Ok(None);
        }
        let offset = self.offset;
        self.offset += read as u64;
        self.number += 1;
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
}
