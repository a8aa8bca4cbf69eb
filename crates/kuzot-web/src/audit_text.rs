//! The audit log in the reader's language.
//!
//! Audit lines are stored as an action id (`login`, `role_change`, …) and a detail written
//! in kuzot's own fixed English wording at the time of the action (see the `audit` calls in
//! `pages/` and `imports.rs`). The stored text stays as it is — the log is evidence of what
//! happened and older entries must keep reading — and this module reads the known wordings
//! back into their values and words them again from the Fluent catalogue. Values the user
//! gave (account and token names, error messages, model versions) are shown as stored; a
//! detail in a wording this module does not know is shown unchanged rather than guessed at.

use crate::i18n::Tr;

/// The translated name of an action id, or the id itself for an action the catalogue does
/// not name (an entry written by a newer or older version).
pub fn action(tr: &Tr, action: &str) -> String {
    let key = format!("audit-action-{}", action.replace('_', "-"));
    let label = tr.t(&key);
    if label == key {
        action.to_owned()
    } else {
        label
    }
}

/// The detail of an entry in the reader's language where it is kuzot's own wording.
pub fn detail(tr: &Tr, action: &str, detail: &str) -> String {
    read(tr, action, detail).unwrap_or_else(|| detail.to_owned())
}

fn read(tr: &Tr, action: &str, detail: &str) -> Option<String> {
    match action {
        // A login or logout has no detail.
        _ if detail.is_empty() => Some(String::new()),
        "login_failed" | "login_throttled" => {
            let name = quoted_all(detail.strip_prefix("account ")?)?;
            Some(tr.args("audit-detail-account", &[("name", name)]))
        }
        "setup" if detail == "first admin account created" => Some(tr.t("audit-detail-setup")),
        "password_change_failed" if detail == "wrong current password" => {
            Some(tr.t("audit-detail-wrong-password"))
        }
        "password_change" if detail == "other sessions ended" => {
            Some(tr.t("audit-detail-sessions-ended"))
        }
        "token_created" => {
            let name = quoted_all(detail.strip_prefix("token ")?)?;
            Some(tr.args("audit-detail-token", &[("name", name)]))
        }
        "token_revoked" => {
            let id = number(detail.strip_prefix("token id ")?)?;
            Some(tr.args("audit-detail-token-id", &[("id", id)]))
        }
        "account_created" => {
            // account "name" (id N) as ROLE
            let (name, rest) = quoted_prefix(detail.strip_prefix("account ")?)?;
            let (id, role) = rest.strip_prefix(" (id ")?.split_once(") as ")?;
            Some(tr.args(
                "audit-detail-account-created",
                &[
                    ("name", name),
                    ("id", number(id)?),
                    ("role", &role_state(tr, role)?),
                ],
            ))
        }
        "role_change" => {
            // account "name" (id N): ROLE[, disabled] -> ROLE[, disabled]
            let (name, rest) = quoted_prefix(detail.strip_prefix("account ")?)?;
            let (id, change) = rest.strip_prefix(" (id ")?.split_once("): ")?;
            let (before, after) = change.split_once(" -> ")?;
            Some(tr.args(
                "audit-detail-role-change",
                &[
                    ("name", name),
                    ("id", number(id)?),
                    ("before", &role_state(tr, before)?),
                    ("after", &role_state(tr, after)?),
                ],
            ))
        }
        "label" => {
            // message N: CATEGORY (engine said CATEGORY)
            let (id, rest) = detail.strip_prefix("message ")?.split_once(": ")?;
            let (chosen, engine) = rest.strip_suffix(')')?.split_once(" (engine said ")?;
            Some(tr.args(
                "audit-detail-label",
                &[
                    ("id", number(id)?),
                    ("category", &category(tr, chosen)?),
                    ("engine", &category(tr, engine)?),
                ],
            ))
        }
        "model_trained" => {
            // VERSION on N labels, K-fold CV macro-F1 X (engine in use Y)
            let (version, rest) = detail.split_once(" on ")?;
            let (labels, rest) = rest.split_once(" labels, ")?;
            let (folds, rest) = rest.split_once("-fold CV macro-F1 ")?;
            let (f1, current) = rest.strip_suffix(')')?.split_once(" (engine in use ")?;
            Some(tr.args(
                "audit-detail-model-trained",
                &[
                    ("version", version),
                    ("labels", number(labels)?),
                    ("folds", number(folds)?),
                    ("f1", &decimal(tr, f1)?),
                    ("current", &decimal(tr, current)?),
                ],
            ))
        }
        "model_switch" => {
            let (old, new) = detail.split_once(" -> ")?;
            Some(tr.args("audit-detail-model-switch", &[("old", old), ("new", new)]))
        }
        "reanalyze" => {
            let (n, version) = detail.split_once(" documents with ")?;
            Some(tr.args(
                "audit-detail-reanalyze",
                &[("n", number(n)?), ("version", version)],
            ))
        }
        "import" => {
            let rest = detail.strip_prefix("job ")?;
            if let Some((job, error)) = rest.split_once(" failed: ") {
                return Some(tr.args(
                    "audit-detail-import-failed",
                    &[("job", number(job)?), ("error", error)],
                ));
            }
            // job N: F file(s), A added, P already present, R rejected
            let (job, rest) = rest.split_once(": ")?;
            let (files, rest) = rest.split_once(" file(s), ")?;
            let (added, rest) = rest.split_once(" added, ")?;
            let (present, rest) = rest.split_once(" already present, ")?;
            let rejected = rest.strip_suffix(" rejected")?;
            Some(tr.args(
                "audit-detail-import",
                &[
                    ("job", number(job)?),
                    ("files", number(files)?),
                    ("added", number(added)?),
                    ("present", number(present)?),
                    ("rejected", number(rejected)?),
                ],
            ))
        }
        _ => None,
    }
}

/// `s` when it is all digits (a count or id as written).
fn number(s: &str) -> Option<&str> {
    (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())).then_some(s)
}

/// A decimal number as written by `{:.3}`, with the reader's decimal separator.
fn decimal(tr: &Tr, s: &str) -> Option<String> {
    let v = s.parse::<f64>().ok().filter(|v| v.is_finite())?;
    Some(tr.decimal(v, 3))
}

/// A string written with `{:?}` that makes up all of `s`, shown with its quotes (the quotes
/// tell the reader where a user-given name starts and ends).
fn quoted_all(s: &str) -> Option<&str> {
    let (name, rest) = quoted_prefix(s)?;
    rest.is_empty().then_some(name)
}

/// A string written with `{:?}` at the start of `s`, and what follows it.
fn quoted_prefix(s: &str) -> Option<(&str, &str)> {
    let body = s.strip_prefix('"')?;
    let mut escaped = false;
    for (i, c) in body.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' => return Some((&s[..i + 2], &body[i + 1..])),
            _ => {}
        }
    }
    None
}

/// A role as written (`analyst` or `analyst, disabled`) in the reader's language.
fn role_state(tr: &Tr, s: &str) -> Option<String> {
    let (role, disabled) = match s.strip_suffix(", disabled") {
        Some(role) => (role, true),
        None => (s, false),
    };
    if !matches!(role, "viewer" | "analyst" | "admin") {
        return None;
    }
    let role = tr.t(role);
    Some(if disabled {
        format!("{role}, {}", tr.t("admin-disabled"))
    } else {
        role
    })
}

/// A category id in the reader's language; `None` for something that is not an id.
fn category(tr: &Tr, id: &str) -> Option<String> {
    if id.is_empty() || !id.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') {
        return None;
    }
    Some(tr.category(id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{Catalog, Lang};
    use std::sync::Arc;

    fn tr(lang: Lang) -> Tr {
        Tr::new(Arc::new(Catalog::load().expect("catalog")), lang)
    }

    // The details below are produced with the same format strings as the writers in
    // pages/ and imports.rs, so a change of wording there that this reader misses fails.
    fn written() -> Vec<(&'static str, String)> {
        let name = "ana \"q\"";
        vec![
            ("login", String::new()),
            ("logout", String::new()),
            ("login_failed", format!("account {name:?}")),
            ("login_throttled", format!("account {name:?}")),
            ("setup", "first admin account created".to_owned()),
            (
                "password_change_failed",
                "wrong current password".to_owned(),
            ),
            ("password_change", "other sessions ended".to_owned()),
            ("token_created", format!("token {name:?}")),
            ("token_revoked", format!("token id {}", 4)),
            (
                "account_created",
                format!("account {:?} (id {}) as {}", name, 7, "analyst"),
            ),
            (
                "role_change",
                format!(
                    "account {:?} (id {}): {}{} -> {}{}",
                    name, 7, "analyst", "", "viewer", ", disabled"
                ),
            ),
            (
                "label",
                format!(
                    "message {}: {} (engine said {})",
                    12, "military_contract", "job_other"
                ),
            ),
            (
                "model_trained",
                format!(
                    "{} on {} labels, {}-fold CV macro-F1 {:.3} (engine in use {:.3})",
                    "linear-2", 40, 5, 0.8123, 0.7
                ),
            ),
            ("model_switch", format!("{} -> {}", "rules-1", "linear-2")),
            ("reanalyze", format!("{} documents with {}", 30, "linear-2")),
            (
                "import",
                format!(
                    "job {}: {} file(s), {} added, {} already present, {} rejected",
                    3, 1, 9, 0, 1
                ),
            ),
            ("import", format!("job {} failed: {}", 3, "disk full")),
        ]
    }

    #[test]
    fn every_written_detail_is_read_back_in_each_language() {
        for lang in [Lang::En, Lang::Ru, Lang::Ky] {
            let tr = tr(lang);
            for (action, detail) in written() {
                let shown = read(&tr, action, &detail);
                assert!(shown.is_some(), "{lang:?}: {action}: {detail}");
                assert_ne!(super::action(&tr, action), action, "{lang:?}: {action}");
            }
        }
    }

    #[test]
    fn user_given_values_are_kept_and_kuzot_wording_is_translated() {
        let tr = tr(Lang::Ky);
        let shown = detail(
            &tr,
            "label",
            "message 12: military_contract (engine said other)",
        );
        assert!(shown.contains("12"), "{shown}");
        assert!(shown.contains(&tr.category("military_contract")), "{shown}");
        assert!(!shown.contains("engine"), "{shown}");
        let shown = detail(&tr, "token_created", "token \"build bot\"");
        assert!(shown.contains("\"build bot\""), "{shown}");
        let shown = detail(&tr, "import", "job 3 failed: disk full");
        assert!(shown.contains("disk full"), "{shown}");
    }

    #[test]
    fn unknown_wording_and_actions_are_shown_as_stored() {
        let tr = tr(Lang::Ru);
        assert_eq!(detail(&tr, "label", "message x: y"), "message x: y");
        assert_eq!(
            detail(&tr, "role_change", "account \"a\" (id 1): god -> viewer"),
            "account \"a\" (id 1): god -> viewer"
        );
        assert_eq!(detail(&tr, "something_new", "as written"), "as written");
        assert_eq!(action(&tr, "something_new"), "something_new");
        assert_eq!(
            detail(&tr, "token_created", "token \"unterminated"),
            "token \"unterminated"
        );
    }

    #[test]
    fn the_case_registry_commands_are_named_in_each_language() {
        // The actions `kuzot cases` writes (kuzot-cli's cases_cmd.rs, `audit_entry`).
        for action_id in [
            "cases_init_key",
            "cases_import",
            "cases_list",
            "cases_show",
            "cases_match",
            "cases_merge",
            "cases_unmerge",
        ] {
            for lang in [Lang::Ky, Lang::Ru, Lang::En] {
                let named = action(&tr(lang), action_id);
                assert_ne!(named, action_id, "{action_id} in {}", lang.code());
            }
        }
        assert_eq!(action(&tr(Lang::Ru), "cases_show"), "Открыт случай");
    }
}
