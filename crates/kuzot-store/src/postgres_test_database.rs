//! A PostgreSQL database of its own for one test, dropped when the test ends. The tests of
//! every crate that runs its stories on both backends take their PostgreSQL from here.
//!
//! The server is `KUZOT_TEST_POSTGRES_URL` (default `postgres://postgres@127.0.0.1:5432/test`,
//! what the project's machines run). Where no server answers, [`TestDatabase::create`]
//! says so on stderr and returns `None`, so that a developer without PostgreSQL still runs
//! the SQLite half; under `CI=true` it panics instead, so CI never passes with the
//! PostgreSQL half skipped.

use crate::evidence_store::url_without_password;

/// Where the test server is, unless `KUZOT_TEST_POSTGRES_URL` says otherwise.
pub const DEFAULT_TEST_SERVER: &str = "postgres://postgres@127.0.0.1:5432/test";

/// A database created for one test; dropped (with its connections) on drop.
#[derive(Debug)]
pub struct TestDatabase {
    admin_url: String,
    name: String,
    url: String,
}

impl TestDatabase {
    /// Creates an empty database named after `purpose` and a random suffix. `None` when no
    /// PostgreSQL server answers and CI is not set.
    pub fn create(purpose: &str) -> Option<TestDatabase> {
        let admin_url = std::env::var("KUZOT_TEST_POSTGRES_URL")
            .unwrap_or_else(|_| DEFAULT_TEST_SERVER.to_owned());
        let mut admin = match postgres::Client::connect(&admin_url, postgres::NoTls) {
            Ok(c) => c,
            Err(e) => {
                let shown = url_without_password(&admin_url);
                if std::env::var("CI").is_ok_and(|v| v == "true") {
                    panic!(
                        "PostgreSQL is not reachable at {shown} ({e}); under CI=true the \
                         PostgreSQL tests must run, not be skipped"
                    );
                }
                eprintln!(
                    "SKIPPED ({purpose}): PostgreSQL is not reachable at {shown} ({e}); set \
                     KUZOT_TEST_POSTGRES_URL to run the PostgreSQL half"
                );
                return None;
            }
        };
        let mut suffix = [0u8; 6];
        getrandom::fill(&mut suffix).expect("random bytes for a database name");
        let clean: String = purpose
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '_'
                }
            })
            .take(30)
            .collect();
        let name = format!("kuzot_test_{clean}_{}", hex::encode(suffix));
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .expect("creating a test database");
        let url = database_url(&admin_url, &name);
        Some(TestDatabase {
            admin_url,
            name,
            url,
        })
    }

    /// The connection URL of the test's database.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The database's name.
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Ok(mut admin) = postgres::Client::connect(&self.admin_url, postgres::NoTls) {
            // WITH (FORCE) ends connections a failed test left open (PostgreSQL 13+).
            let _ = admin.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ));
        }
    }
}

/// `url` with its database (the path after the host) replaced by `name`; query options kept.
fn database_url(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let host_end = base[scheme_end..]
        .find('/')
        .map_or(base.len(), |i| scheme_end + i);
    let mut out = format!("{}/{name}", &base[..host_end]);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_database_is_swapped_and_options_kept() {
        assert_eq!(
            database_url("postgres://postgres@127.0.0.1:5432/test", "kuzot_x"),
            "postgres://postgres@127.0.0.1:5432/kuzot_x"
        );
        assert_eq!(
            database_url("postgres://u:p@h/test?sslmode=disable", "d"),
            "postgres://u:p@h/d?sslmode=disable"
        );
        assert_eq!(database_url("postgres://h", "d"), "postgres://h/d");
    }

    #[test]
    fn a_test_database_is_made_and_dropped() {
        let Some(db) = TestDatabase::create("harness") else {
            return;
        };
        let name = db.name().to_owned();
        let mut client = postgres::Client::connect(db.url(), postgres::NoTls).expect("connect");
        let one: i32 = client.query_one("SELECT 1", &[]).expect("query").get(0);
        assert_eq!(one, 1);
        drop(client);
        drop(db);
        let admin_url = std::env::var("KUZOT_TEST_POSTGRES_URL")
            .unwrap_or_else(|_| DEFAULT_TEST_SERVER.to_owned());
        let mut admin = postgres::Client::connect(&admin_url, postgres::NoTls).expect("admin");
        let left = admin
            .query_opt("SELECT 1 FROM pg_database WHERE datname = $1", &[&name])
            .expect("query");
        assert!(left.is_none(), "{name} was not dropped");
    }
}
