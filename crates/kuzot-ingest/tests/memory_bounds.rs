//! Hostile inputs against the readers, with memory measured by a counting allocator: the
//! peak of live allocations while a reader works on a crafted file of tens of megabytes
//! must stay near the configured limits, whatever the file's size. The inputs are
//! generated while they are read, so that they take no memory themselves.
//!
//! dhat's allocator counts the whole process and allows one profiler at a time, so the
//! cases run one at a time under a lock.

use std::io::{BufReader, Read};
use std::sync::Mutex;

use kuzot_ingest::{CollectingSink, ReadError, ReadLimits, ReadOptions, ReadReport, read_source};
use kuzot_model::SourceFormat;

#[global_allocator]
static ALLOCATOR: dhat::Alloc = dhat::Alloc;

static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

const MIB: usize = 1024 * 1024;

/// `head`, then `body` repeated until `total` bytes, then `tail`: a file that is never in
/// memory as a whole.
struct Generated {
    parts: [Vec<u8>; 3],
    total_body: usize,
    part: usize,
    at: usize,
    body_sent: usize,
}

impl Generated {
    fn new(head: &str, body: &str, body_bytes: usize, tail: &str) -> Generated {
        Generated {
            parts: [head.into(), body.into(), tail.into()],
            total_body: body_bytes,
            part: 0,
            at: 0,
            body_sent: 0,
        }
    }
}

impl Read for Generated {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        loop {
            match self.part {
                0 | 2 => {
                    let part = &self.parts[self.part];
                    if self.at < part.len() {
                        let n = out.len().min(part.len() - self.at);
                        out[..n].copy_from_slice(&part[self.at..self.at + n]);
                        self.at += n;
                        return Ok(n);
                    }
                    if self.part == 2 {
                        return Ok(0);
                    }
                    self.part = 1;
                    self.at = 0;
                }
                _ => {
                    let body = &self.parts[1];
                    if self.body_sent >= self.total_body || body.is_empty() {
                        self.part = 2;
                        self.at = 0;
                        continue;
                    }
                    let mut n = 0;
                    while n < out.len() && self.body_sent < self.total_body {
                        out[n] = body[self.at];
                        self.at = (self.at + 1) % body.len();
                        n += 1;
                        self.body_sent += 1;
                    }
                    return Ok(n);
                }
            }
        }
    }
}

/// Reads `input` as `format` with a 1 MiB record limit; returns the result, what the sink
/// got and the peak of memory in use beyond what was in use before.
fn read_measured(
    format: SourceFormat,
    input: Generated,
) -> (Result<ReadReport, ReadError>, CollectingSink, usize) {
    let options = ReadOptions {
        limits: ReadLimits {
            max_record_bytes: MIB as u64,
            max_document_bytes: MIB,
            ..ReadLimits::default()
        },
        ..ReadOptions::default()
    };
    let mut sink = CollectingSink::default();
    let reader = BufReader::with_capacity(64 * 1024, input);
    let profiler = dhat::Profiler::builder().testing().build();
    let result = read_source(format, reader, &options, &mut sink);
    let peak = dhat::HeapStats::get().max_bytes;
    drop(profiler);
    (result, sink, peak)
}

/// The bound every case must stay under: the 1 MiB record limit, the buffers, and room
/// for the allocator's growth steps; far below the 24 MiB of input.
const PEAK_BOUND: usize = 6 * MIB;

#[test]
fn hostile_inputs_keep_memory_flat() {
    let _guard = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());

    // Finding 1: `{"a":` nested over and over outside `messages`.
    let (result, _, peak) = read_measured(
        SourceFormat::TelegramJson,
        Generated::new("", "{\"a\":", 24 * MIB, ""),
    );
    let error = result
        .expect_err("a file nested that deep is rejected")
        .to_string();
    assert!(error.contains("nests deeper than 64 levels"), "{error}");
    assert!(peak < PEAK_BOUND, "nesting: peak {peak} bytes");

    // Deep arrays too.
    let (result, _, peak) = read_measured(
        SourceFormat::TelegramJson,
        Generated::new("{\"chats\":", "[", 24 * MIB, ""),
    );
    assert!(result.is_err());
    assert!(peak < PEAK_BOUND, "nested arrays: peak {peak} bytes");

    // Finding 4: one huge message, then a normal one that must still be read.
    let (result, sink, peak) = read_measured(
        SourceFormat::TelegramJson,
        Generated::new(
            "{\"name\":\"c\",\"messages\":[{\"id\":1,\"date_unixtime\":\"1700000000\",\"text\":\"",
            "Работа ",
            24 * MIB,
            "\"},{\"id\":2,\"date_unixtime\":\"1700000000\",\"text\":\"ok\"}]}",
        ),
    );
    let report = result.expect("the file is read past the oversized message");
    assert_eq!((report.documents, report.rejected), (1, 1));
    assert_eq!(sink.rejected[0].position.index, 0);
    assert!(
        sink.rejected[0].reason.contains("over the limit"),
        "{}",
        sink.rejected[0].reason
    );
    assert_eq!(sink.documents[0].text, "ok");
    assert!(peak < PEAK_BOUND, "huge message: peak {peak} bytes");

    // A string inside a message that never closes must not buffer the rest of the file.
    let (result, _, peak) = read_measured(
        SourceFormat::TelegramJson,
        Generated::new("{\"messages\":[{\"text\":\"", "a", 24 * MIB, ""),
    );
    assert!(result.is_err(), "a truncated file is an error");
    assert!(
        peak < PEAK_BOUND,
        "unclosed string in a message: peak {peak} bytes"
    );

    // Nor one outside the messages, full of escapes.
    let (result, _, peak) = read_measured(
        SourceFormat::TelegramJson,
        Generated::new("{\"", "\\\\", 24 * MIB, ""),
    );
    assert!(result.is_err());
    assert!(peak < PEAK_BOUND, "unclosed key: peak {peak} bytes");

    // A CSV field that opens a quote and never closes it.
    let (result, sink, peak) = read_measured(
        SourceFormat::Csv,
        Generated::new("text,date\nok,2024-01-01\n\"", "Работа,\n", 24 * MIB, ""),
    );
    let report = result.expect("the rows before it are kept");
    assert_eq!((report.documents, report.rejected), (1, 1));
    assert_eq!(sink.rejected[0].position.line, Some(3));
    assert!(peak < PEAK_BOUND, "unclosed CSV quote: peak {peak} bytes");

    // A JSONL line of 24 MiB between two good ones.
    let (result, sink, peak) = read_measured(
        SourceFormat::Jsonl,
        Generated::new(
            "{\"text\":\"one\"}\n{\"text\":\"",
            "x",
            24 * MIB,
            "\"}\n{\"text\":\"two\"}\n",
        ),
    );
    let report = result.expect("a long line is one bad record");
    assert_eq!((report.documents, report.rejected), (2, 1));
    assert_eq!(sink.rejected[0].position.line, Some(2));
    assert!(peak < PEAK_BOUND, "long JSONL line: peak {peak} bytes");
}
