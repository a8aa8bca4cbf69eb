//! Fuzzes the CSV reader: any bytes must end in documents, rejected records or an
//! error for the whole file, never in a panic, a hang or unbounded memory.
#![no_main]

use kuzot_ingest::{CollectingSink, ReadOptions, read_source};
use kuzot_model::SourceFormat;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut sink = CollectingSink::default();
    // An error is a valid answer to a malformed file; only a panic is a finding.
    if let Ok(report) = read_source(SourceFormat::Csv, data, &ReadOptions::default(), &mut sink) {
        // The report is what the service logs and shows: it must agree with what was read.
        assert_eq!(report.documents, sink.documents.len() as u64);
        assert_eq!(report.rejected, sink.rejected.len() as u64);
        assert_eq!(report.service_records, sink.service_records);
    }
});
