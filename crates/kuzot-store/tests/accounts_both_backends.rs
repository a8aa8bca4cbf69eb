//! One suite of account behaviours, run on the SQLite accounts file and on PostgreSQL;
//! then what only a shared database can show: two PostgreSQL account stores (two server
//! processes) sharing one session and one login throttle.

use std::sync::{Arc, Barrier};
use std::time::Duration;

use kuzot_store::postgres_test_database::TestDatabase;
use kuzot_store::{
    AccountError, AccountStore, LoginThrottle, PostgresAccounts, Role, SqliteAccounts,
    StoreLocation, TokenScope, open_accounts,
};

/// A stand-in for an argon2 hash: the store keeps whatever hash it is given.
const HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo";
const OTHER_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$b3RoZXJzYWx0$b3RoZXJoYXNo";

const THROTTLE: LoginThrottle = LoginThrottle {
    max_attempts: 3,
    window: Duration::from_secs(600),
};

/// Runs `story` on a fresh SQLite store, then on a fresh PostgreSQL one (when a server
/// answers; under CI=true it must).
fn on_both(purpose: &str, story: impl Fn(&dyn AccountStore)) {
    let dir = tempfile::tempdir().expect("temp dir");
    let sqlite = open_accounts(&StoreLocation::Sqlite(dir.path().to_owned())).expect("sqlite");
    story(sqlite.as_ref());
    if let Some(db) = TestDatabase::create(purpose) {
        let postgres = open_accounts(&StoreLocation::Postgres(db.url().to_owned())).expect("pg");
        story(postgres.as_ref());
    }
}

#[test]
fn users_roles_and_disabled_accounts() {
    on_both("acc_users", |accounts| {
        assert_eq!(accounts.user_count().expect("count"), 0);
        let aida = accounts
            .create_user("aida", HASH, Role::Analyst)
            .expect("create");
        let bek = accounts
            .create_user("bek", HASH, Role::Viewer)
            .expect("create");
        assert_ne!(aida.id, bek.id);
        assert_eq!(accounts.user_count().expect("count"), 2);
        assert!(matches!(
            accounts.create_user("aida", HASH, Role::Viewer),
            Err(AccountError::NameTaken(name)) if name == "aida"
        ));
        assert!(matches!(
            accounts.create_user("<script>", HASH, Role::Viewer),
            Err(AccountError::Invalid(_))
        ));
        let names: Vec<String> = accounts
            .users()
            .expect("users")
            .into_iter()
            .map(|u| u.name)
            .collect();
        assert_eq!(names, ["aida", "bek"]);
        let (found, hash) = accounts
            .user_and_password_hash("aida")
            .expect("lookup")
            .expect("exists");
        assert_eq!(found, aida);
        assert_eq!(hash, HASH);
        assert!(
            accounts
                .user_and_password_hash("nobody")
                .expect("lookup")
                .is_none()
        );

        let cookie = accounts.create_session(aida.id).expect("session");
        accounts
            .set_role(aida.id, Role::Admin, false)
            .expect("promote");
        let promoted = accounts.user(aida.id).expect("user").expect("exists");
        assert_eq!(promoted.role, Role::Admin);
        assert!(!promoted.disabled);
        assert_eq!(
            accounts
                .session(&cookie)
                .expect("session")
                .expect("live")
                .user
                .role,
            Role::Admin
        );

        let token = accounts
            .create_api_token(aida.id, "script", TokenScope::Read)
            .expect("token");
        accounts
            .set_role(aida.id, Role::Admin, true)
            .expect("disable");
        let disabled = accounts.user(aida.id).expect("user").expect("exists");
        assert!(disabled.disabled);
        assert!(accounts.session(&cookie).expect("session").is_none());
        assert!(accounts.api_token(&token).expect("token").is_none());
        assert!(accounts.user(i64::MAX).expect("user").is_none());
    });
}

#[test]
fn sessions_are_created_ended_and_expire_with_their_account() {
    on_both("acc_sessions", |accounts| {
        let user = accounts
            .create_user("aida", HASH, Role::Analyst)
            .expect("create");
        let first = accounts.create_session(user.id).expect("session");
        let second = accounts.create_session(user.id).expect("session");
        assert_ne!(first, second);
        let session = accounts.session(&first).expect("lookup").expect("live");
        assert_eq!(session.user, user);
        assert_eq!(session.csrf.len(), 64);
        let other = accounts.session(&second).expect("lookup").expect("live");
        assert_ne!(session.csrf, other.csrf);

        accounts.end_session(&first).expect("end");
        assert!(accounts.session(&first).expect("lookup").is_none());
        assert!(accounts.session(&second).expect("lookup").is_some());
        assert!(
            accounts
                .session("made-up cookie")
                .expect("lookup")
                .is_none()
        );
        // Ending an unknown session is not an error.
        accounts.end_session("made-up cookie").expect("end");
    });
}

#[test]
fn an_expired_session_is_gone() {
    let story = |accounts: &dyn AccountStore, expire_all: &dyn Fn()| {
        let user = accounts
            .create_user("aida", HASH, Role::Analyst)
            .expect("create");
        let cookie = accounts.create_session(user.id).expect("session");
        assert!(accounts.session(&cookie).expect("lookup").is_some());
        expire_all();
        assert!(accounts.session(&cookie).expect("lookup").is_none());
        // A new session works again.
        let fresh = accounts.create_session(user.id).expect("session");
        assert!(accounts.session(&fresh).expect("lookup").is_some());
    };
    // Twelve hours cannot pass in a test: the sessions' expiry is moved into the past.
    let dir = tempfile::tempdir().expect("temp dir");
    let sqlite = SqliteAccounts::open(dir.path()).expect("sqlite");
    let file = dir.path().join("accounts.db");
    story(&sqlite, &|| {
        rusqlite::Connection::open(&file)
            .expect("open")
            .execute("UPDATE sessions SET expires_at = 0", [])
            .expect("expire");
    });
    if let Some(db) = TestDatabase::create("acc_expiry") {
        let postgres = PostgresAccounts::connect(db.url()).expect("pg");
        story(&postgres, &|| {
            postgres::Client::connect(db.url(), postgres::NoTls)
                .expect("connect")
                .execute("UPDATE accounts_sessions SET expires_at = 0", &[])
                .expect("expire");
        });
    }
}

#[test]
fn a_new_password_ends_sessions_and_revokes_tokens() {
    on_both("acc_password", |accounts| {
        let user = accounts
            .create_user("aida", HASH, Role::Analyst)
            .expect("create");
        let other = accounts
            .create_user("bek", HASH, Role::Analyst)
            .expect("create");
        let cookie = accounts.create_session(user.id).expect("session");
        let token = accounts
            .create_api_token(user.id, "script", TokenScope::Write)
            .expect("token");
        let others_cookie = accounts.create_session(other.id).expect("session");

        accounts
            .set_password_hash(user.id, OTHER_HASH)
            .expect("new password");
        assert!(accounts.session(&cookie).expect("lookup").is_none());
        assert!(accounts.api_token(&token).expect("lookup").is_none());
        assert!(accounts.api_tokens(user.id).expect("list").is_empty());
        let (_, hash) = accounts
            .user_and_password_hash("aida")
            .expect("lookup")
            .expect("exists");
        assert_eq!(hash, OTHER_HASH);
        // Another account is untouched.
        assert!(accounts.session(&others_cookie).expect("lookup").is_some());
    });
}

#[test]
fn tokens_carry_their_scope_and_are_revoked_by_their_owner_only() {
    on_both("acc_tokens", |accounts| {
        let user = accounts
            .create_user("aida", HASH, Role::Analyst)
            .expect("create");
        let other = accounts
            .create_user("bek", HASH, Role::Viewer)
            .expect("create");
        let read = accounts
            .create_api_token(user.id, " reader ", TokenScope::Read)
            .expect("token");
        let write = accounts
            .create_api_token(user.id, "writer", TokenScope::Write)
            .expect("token");
        assert!(read.starts_with("kzt_"));
        assert!(matches!(
            accounts.create_api_token(user.id, "   ", TokenScope::Read),
            Err(AccountError::Invalid(_))
        ));

        let (owner, scope) = accounts.api_token(&read).expect("lookup").expect("live");
        assert_eq!((owner.id, scope), (user.id, TokenScope::Read));
        let (_, scope) = accounts.api_token(&write).expect("lookup").expect("live");
        assert_eq!(scope, TokenScope::Write);
        assert_eq!(scope.cap(Role::Admin), Role::Analyst);
        assert!(accounts.api_token("kzt_made_up").expect("lookup").is_none());

        let listed = accounts.api_tokens(user.id).expect("list");
        let names: Vec<&str> = listed.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["reader", "writer"]);
        assert!(listed[0].last_used.is_some(), "a used token notes its use");

        let reader_id = listed[0].id;
        assert!(
            !accounts
                .revoke_api_token(other.id, reader_id)
                .expect("revoke")
        );
        assert!(accounts.api_token(&read).expect("lookup").is_some());
        assert!(
            accounts
                .revoke_api_token(user.id, reader_id)
                .expect("revoke")
        );
        assert!(accounts.api_token(&read).expect("lookup").is_none());
        assert_eq!(accounts.api_tokens(user.id).expect("list").len(), 1);
    });
}

#[test]
fn a_setup_link_makes_one_admin_once() {
    on_both("acc_setup", |accounts| {
        // Two servers starting on one empty database: each prints its own link, and both
        // work until one of them is used.
        let other = accounts.create_setup_link().expect("link");
        let link = accounts.create_setup_link().expect("link");
        assert_ne!(other, link);
        assert!(accounts.setup_link_valid(&other).expect("valid"));
        assert!(accounts.setup_link_valid(&link).expect("valid"));
        assert!(!accounts.setup_link_valid("not-a-link").expect("valid"));
        assert!(matches!(
            accounts.complete_setup(&link, "<bad name>", HASH),
            Err(AccountError::Invalid(_))
        ));
        // A refused name does not burn the link.
        assert!(accounts.setup_link_valid(&link).expect("valid"));
        let admin = accounts
            .complete_setup(&link, "admin", HASH)
            .expect("setup");
        assert_eq!(admin.role, Role::Admin);
        assert!(!accounts.setup_link_valid(&link).expect("valid"));
        assert!(
            !accounts.setup_link_valid(&other).expect("valid"),
            "burnt too"
        );
        assert!(matches!(
            accounts.complete_setup(&other, "second", HASH),
            Err(AccountError::Invalid(_))
        ));
        assert!(matches!(
            accounts.complete_setup(&link, "second", HASH),
            Err(AccountError::Invalid(_))
        ));
        // A new link while an account exists is never valid.
        let late = accounts.create_setup_link().expect("link");
        assert!(!accounts.setup_link_valid(&late).expect("valid"));
        assert!(accounts.complete_setup(&late, "third", HASH).is_err());
        assert_eq!(accounts.user_count().expect("count"), 1);
    });
}

#[test]
fn the_audit_log_keeps_entries_in_order() {
    on_both("acc_audit", |accounts| {
        for i in 0..5 {
            accounts
                .audit("aida", "label", &format!("document {i}"))
                .expect("audit");
        }
        accounts
            .audit("-", "login_failed", "'; DROP TABLE users; --")
            .expect("audit");
        let log = accounts.audit_log(4).expect("log");
        let details: Vec<&str> = log.iter().map(|e| e.detail.as_str()).collect();
        assert_eq!(
            details,
            [
                "'; DROP TABLE users; --",
                "document 4",
                "document 3",
                "document 2"
            ]
        );
        assert_eq!(log[0].actor, "-");
        assert_eq!(log[0].action, "login_failed");
        assert_eq!(log[1].action, "label");
        assert!(log.iter().all(|e| !e.at.is_empty()));
        assert_eq!(accounts.audit_log(100).expect("log").len(), 6);
    });
}

#[test]
fn throttling_limits_every_key_and_forgets_on_success() {
    on_both("acc_throttle", |accounts| {
        for _ in 0..3 {
            assert!(
                accounts
                    .begin_login_attempt(&["ip:1", "user:a"], THROTTLE)
                    .expect("attempt")
            );
        }
        // The account is locked from another address, the address for another account.
        assert!(
            !accounts
                .begin_login_attempt(&["ip:2", "user:a"], THROTTLE)
                .expect("attempt")
        );
        assert!(
            !accounts
                .begin_login_attempt(&["ip:1", "user:b"], THROTTLE)
                .expect("attempt")
        );
        // A refused attempt is not recorded for its other key: user:b has none yet.
        for _ in 0..3 {
            assert!(
                accounts
                    .begin_login_attempt(&["ip:3", "user:b"], THROTTLE)
                    .expect("attempt")
            );
        }
        assert!(
            !accounts
                .begin_login_attempt(&["ip:4", "user:b"], THROTTLE)
                .expect("attempt")
        );
        accounts
            .forget_login_attempts(&["user:a", "ip:1"])
            .expect("forget");
        assert!(
            accounts
                .begin_login_attempt(&["ip:1", "user:a"], THROTTLE)
                .expect("attempt")
        );
        // Attempts older than the window no longer count (a window shorter than the
        // time since they were made).
        std::thread::sleep(Duration::from_millis(20));
        let short = LoginThrottle {
            max_attempts: 1,
            window: Duration::from_millis(5),
        };
        assert!(
            accounts
                .begin_login_attempt(&["ip:4", "user:b"], short)
                .expect("attempt")
        );
        // The key lengths are bounded: a huge name is one key, cut, not an error.
        let huge = format!("user:{}", "x".repeat(100_000));
        assert!(
            accounts
                .begin_login_attempt(&[huge.as_str()], THROTTLE)
                .expect("attempt")
        );
    });
}

#[test]
fn concurrent_attempts_on_one_sqlite_file_get_max_attempts_checks() {
    let dir = tempfile::tempdir().expect("temp dir");
    // Two stores over one file: two processes' connections.
    let stores: Vec<Arc<SqliteAccounts>> = (0..2)
        .map(|_| Arc::new(SqliteAccounts::open(dir.path()).expect("open")))
        .collect();
    assert_eq!(concurrent_passes(&stores, 40), THROTTLE.max_attempts);
}

/// Starts `attempts` logins for one account at once, spread over `stores`; how many passed.
fn concurrent_passes<S: AccountStore + 'static>(stores: &[Arc<S>], attempts: usize) -> usize {
    let barrier = Arc::new(Barrier::new(attempts));
    let threads: Vec<_> = (0..attempts)
        .map(|i| {
            let store = Arc::clone(&stores[i % stores.len()]);
            let barrier = Arc::clone(&barrier);
            std::thread::spawn(move || {
                barrier.wait();
                let ip = format!("ip:{i}");
                store
                    .begin_login_attempt(&[ip.as_str(), "user:victim"], THROTTLE)
                    .expect("attempt")
            })
        })
        .collect();
    threads
        .into_iter()
        .map(|t| t.join().expect("thread"))
        .filter(|passed| *passed)
        .count()
}

#[test]
fn two_postgres_processes_share_sessions_and_one_throttle() {
    let Some(db) = TestDatabase::create("acc_two_processes") else {
        return;
    };
    let first = Arc::new(PostgresAccounts::connect(db.url()).expect("first"));
    let second = Arc::new(PostgresAccounts::connect(db.url()).expect("second"));

    let user = first
        .create_user("aida", HASH, Role::Analyst)
        .expect("create");
    let cookie = first.create_session(user.id).expect("session");
    let seen = second.session(&cookie).expect("lookup").expect("live");
    assert_eq!(seen.user, user);
    let csrf = first.session(&cookie).expect("lookup").expect("live").csrf;
    assert_eq!(seen.csrf, csrf, "one CSRF token whichever process answers");
    second.end_session(&cookie).expect("end");
    assert!(first.session(&cookie).expect("lookup").is_none());

    // Forty attempts at once, twenty through each process: max_attempts pass.
    assert_eq!(
        concurrent_passes(&[Arc::clone(&first), Arc::clone(&second)], 40),
        THROTTLE.max_attempts
    );
    second
        .forget_login_attempts(&["user:victim"])
        .expect("forget");
    assert!(
        first
            .begin_login_attempt(&["ip:new", "user:victim"], THROTTLE)
            .expect("attempt")
    );
}

#[test]
fn postgres_refuses_accounts_from_a_newer_kuzot_naming_both_versions() {
    let Some(db) = TestDatabase::create("acc_newer") else {
        return;
    };
    drop(PostgresAccounts::connect(db.url()).expect("first open migrates"));
    // Opening again is a no-op.
    drop(PostgresAccounts::connect(db.url()).expect("second open"));
    let mut client = postgres::Client::connect(db.url(), postgres::NoTls).expect("connect");
    let newer = PostgresAccounts::schema_version() + 5;
    client
        .execute(
            "UPDATE kuzot_schema_versions SET version = $1 WHERE component = 'accounts'",
            &[&newer],
        )
        .expect("pretend newer");
    let message = PostgresAccounts::connect(db.url())
        .expect_err("a newer schema is refused")
        .to_string();
    assert!(message.contains(&newer.to_string()), "{message}");
    assert!(
        message.contains(&PostgresAccounts::schema_version().to_string()),
        "{message}"
    );
}

#[test]
fn an_unreachable_server_is_named_without_its_password() {
    let message = open_accounts(&StoreLocation::Postgres(
        "postgres://kuzot:s3cret@127.0.0.1:1/evidence?connect_timeout=2".into(),
    ))
    .map(|_| ())
    .expect_err("nothing listens on port 1")
    .to_string();
    assert!(message.contains("127.0.0.1:1"), "{message}");
    assert!(!message.contains("s3cret"), "{message}");
}

#[test]
fn an_accounts_file_from_before_scopes_and_throttling_opens_unchanged() {
    let dir = tempfile::tempdir().expect("temp dir");
    {
        // The tables as an early kuzot wrote them: no token scope, no login attempts.
        let old = rusqlite::Connection::open(dir.path().join("accounts.db")).expect("create");
        old.execute_batch(
            "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,
                 password_hash TEXT NOT NULL, role TEXT NOT NULL,
                 disabled INTEGER NOT NULL DEFAULT 0, created_at TEXT NOT NULL);
             CREATE TABLE sessions (token_sha256 TEXT PRIMARY KEY,
                 user_id INTEGER NOT NULL REFERENCES users(id), csrf TEXT NOT NULL,
                 expires_at INTEGER NOT NULL);
             CREATE TABLE api_tokens (id INTEGER PRIMARY KEY,
                 user_id INTEGER NOT NULL REFERENCES users(id), name TEXT NOT NULL,
                 token_sha256 TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL, last_used TEXT,
                 revoked INTEGER NOT NULL DEFAULT 0);
             CREATE TABLE setup_links (token_sha256 TEXT PRIMARY KEY, created_at TEXT NOT NULL);
             CREATE TABLE audit_log (id INTEGER PRIMARY KEY, at TEXT NOT NULL,
                 actor TEXT NOT NULL, action TEXT NOT NULL, detail TEXT NOT NULL);
             INSERT INTO users VALUES (1, 'aida', 'old-hash', 'admin', 0, '2025-01-01T00:00:00Z');
             INSERT INTO api_tokens (user_id, name, token_sha256, created_at)
                 VALUES (1, 'old script', 'ab', '2025-01-01T00:00:00Z');
             INSERT INTO audit_log (at, actor, action, detail)
                 VALUES ('2025-01-01T00:00:00Z', 'aida', 'setup', 'first admin');",
        )
        .expect("old schema");
    }
    let accounts = open_accounts(&StoreLocation::Sqlite(dir.path().to_owned())).expect("open");
    let (user, hash) = accounts
        .user_and_password_hash("aida")
        .expect("lookup")
        .expect("kept");
    assert_eq!(
        (user.id, user.role, hash.as_str()),
        (1, Role::Admin, "old-hash")
    );
    let tokens = accounts.api_tokens(1).expect("tokens");
    assert_eq!(tokens.len(), 1);
    assert_eq!(tokens[0].scope, TokenScope::Read, "old tokens read only");
    assert_eq!(accounts.audit_log(10).expect("log")[0].action, "setup");
    assert!(
        accounts
            .begin_login_attempt(&["user:aida"], THROTTLE)
            .expect("throttle table added")
    );
}
