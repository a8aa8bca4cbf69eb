//! The genre model as users meet it: the shipped model is what `kuzot train-genre` builds
//! from the shared data, bit for bit; a model file that cannot be used is refused with a
//! message and the engine falls back to the cue model, saying so in `engine_version`; and
//! every prediction line carries a genre and a topic.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The shared data (`KUZOT_SHARED_DIR`, else `shared/` beside the clone).
fn shared() -> PathBuf {
    let dir = std::env::var_os("KUZOT_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("../shared"));
    assert!(
        dir.join("corpora").is_dir(),
        "{} is missing: set KUZOT_SHARED_DIR to the shared/ folder",
        dir.display()
    );
    dir
}

fn analyze(text: &str, extra: &[&str]) -> (Output, Vec<serde_json::Value>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kuzot"))
        .args(extra)
        .arg("analyze")
        .env_remove("KUZOT_GENRE_MODEL")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("kuzot runs");
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().expect("stdin");
        stdin.write_all(text.as_bytes()).expect("write");
    }
    let output = child.wait_with_output().expect("kuzot ends");
    let lines = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    (output, lines)
}

#[test]
fn the_shipped_genre_model_is_rebuilt_bit_for_bit_from_the_recipe() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("genre.kzg");
    let status = Command::new(env!("CARGO_BIN_EXE_kuzot"))
        .arg("train-genre")
        .arg("--shared")
        .arg(shared())
        .arg("-o")
        .arg(&out)
        .output()
        .expect("kuzot runs");
    assert!(status.status.success(), "{status:?}");
    let rebuilt = std::fs::read(&out).expect("model written");
    let shipped = std::fs::read(repo_root().join("crates/kuzot-analysis/data/genre-model.kzg"))
        .expect("shipped model");
    assert!(rebuilt.len() > 100_000, "{} bytes", rebuilt.len());
    assert!(
        rebuilt == shipped,
        "crates/kuzot-analysis/data/genre-model.kzg is not what `kuzot train-genre` builds: \
         rebuild it with `kuzot train-genre -o crates/kuzot-analysis/data/genre-model.kzg`"
    );
}

#[test]
fn a_broken_genre_model_is_refused_and_the_cue_model_decides() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bad = dir.path().join("bad.kzg");
    std::fs::write(&bad, b"KUZOTGM\0 not a model").expect("write");
    let text = "{\"id\":\"a\",\"text\":\"Приглашаем охранников, 120 000 руб. Звоните +7 913 508 71 26\"}\n";
    let (output, lines) = analyze(text, &["--genre-model", bad.to_str().expect("utf-8 path")]);
    assert!(output.status.success(), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("refused"), "{stderr}");
    let version = lines[0]["engine_version"].as_str().expect("version");
    assert!(version.contains("+genre:none(bad.kzg:"), "{version}");
    assert!(lines[0]["offer_probability"].is_null());
    assert_eq!(lines[0]["genre"], "ad");

    let missing = dir.path().join("missing.kzg");
    let (output, lines) = analyze(
        text,
        &["--genre-model", missing.to_str().expect("utf-8 path")],
    );
    assert!(output.status.success(), "{output:?}");
    assert!(
        lines[0]["engine_version"]
            .as_str()
            .is_some_and(|v| v.contains("+genre:none(missing.kzg:")),
        "{:?}",
        lines[0]["engine_version"]
    );
}

#[test]
fn a_report_about_recruitment_is_other_with_its_topic_and_an_ad_is_an_ad() {
    // Invented texts of the two shapes: a news item that quotes recruitment, and the ad.
    let text = concat!(
        "{\"id\":\"news\",\"text\":\"Как сообщили журналисты издания, в прошлом году ЧВК вербовала заключённых в колониях. По данным правозащитников, им обещали помилование через полгода, заявил источник.\"}\n",
        "{\"id\":\"ad\",\"text\":\"ЧВК набирает бойцов! Мы предлагаем 240 000 руб. в месяц и помилование. Звоните +7 912 604 58 17\"}\n",
    );
    let (output, lines) = analyze(text, &[]);
    assert!(output.status.success(), "{output:?}");
    assert_eq!(lines[0]["genre"], "report", "{}", lines[0]);
    assert_eq!(lines[0]["category"], "other");
    assert_eq!(lines[0]["topic"], "pmc");
    assert_eq!(lines[1]["genre"], "ad", "{}", lines[1]);
    assert_eq!(lines[1]["category"], "pmc");
    assert_eq!(lines[1]["topic"], "pmc");
    assert!(
        lines[1]["engine_version"]
            .as_str()
            .is_some_and(|v| v.contains("+genre:genre-recipe-1:")),
        "{}",
        lines[1]
    );
}
