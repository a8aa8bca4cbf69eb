//! Accounts as the web uses them: the account store of the server's location (SQLite's
//! `accounts.db` or the PostgreSQL database, see [`kuzot_store::accounts`]) with the
//! password rules and argon2id hashing on top — the store only ever sees hashes.
//!
//! Every method blocks on the store: call them from blocking tasks
//! ([`crate::state::AppState::blocking`]), never on an async thread (the PostgreSQL client
//! runs a runtime of its own).

use std::path::Path;

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use kuzot_store::StoreLocation;
use kuzot_store::accounts::{AccountStore, LoginThrottle, open_accounts};

pub use kuzot_store::accounts::{
    AccountError, ApiToken, AuditEntry, MAX_NAME_CHARS, Role, SESSION_HOURS, Session, TokenScope,
    User, random_token,
};

/// Shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 10;
/// Longest password accepted (in bytes of UTF-8).
pub const MAX_PASSWORD_BYTES: usize = 1024;

/// Hashes a password with argon2id (the crate's default parameters: 19 MiB, 2 passes).
pub fn hash_password(password: &str) -> Result<String, AccountError> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| AccountError::Random(e.to_string()))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| AccountError::Hash(e.to_string()))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AccountError::Hash(e.to_string()))
}

/// Checks a password against a stored hash.
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A fixed hash to verify against when the account does not exist, so that a login for
/// an unknown name takes as long as one with a wrong password.
fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash_password("not a real password at all").unwrap_or_default())
}

fn check_new_password(password: &str) -> Result<(), AccountError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(AccountError::PasswordTooShort {
            min: MIN_PASSWORD_CHARS,
        });
    }
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(AccountError::PasswordTooLong);
    }
    Ok(())
}

/// What a form shows for an account refused for its input, in the reader's language where
/// the catalogue has it; `None` for an error that is not the user's input.
pub fn refusal_text(e: &AccountError, tr: &crate::i18n::Tr) -> Option<String> {
    match e {
        AccountError::PasswordTooShort { min } => Some(tr.t1("password-too-short", "min", min)),
        AccountError::PasswordTooLong => Some(tr.t("password-too-long")),
        // The store's own wording (names, setup links): English for now.
        AccountError::Invalid(m) => Some(m.clone()),
        _ => None,
    }
}

/// The accounts of the server: an [`AccountStore`] with passwords checked and hashed here.
pub struct Accounts {
    store: Box<dyn AccountStore>,
}

impl std::fmt::Debug for Accounts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Accounts({})", self.store.describe())
    }
}

impl Accounts {
    /// Opens (creating) `accounts.db` in the SQLite data directory `data_dir`.
    pub fn open(data_dir: &Path) -> Result<Accounts, AccountError> {
        Accounts::connect(&StoreLocation::Sqlite(data_dir.to_owned()))
    }

    /// Opens the account store of a location: `accounts.db` of a SQLite data directory, or
    /// the accounts tables of a PostgreSQL database (migrated on open).
    pub fn connect(location: &StoreLocation) -> Result<Accounts, AccountError> {
        Ok(Accounts::from_store(open_accounts(location)?))
    }

    /// Wraps an opened account store.
    pub fn from_store(store: Box<dyn AccountStore>) -> Accounts {
        Accounts { store }
    }

    /// The account store itself, for what needs no password.
    pub fn store(&self) -> &dyn AccountStore {
        self.store.as_ref()
    }

    /// Number of accounts.
    pub fn user_count(&self) -> Result<u64, AccountError> {
        self.store.user_count()
    }

    /// Creates an account (the name and password checked, the password hashed).
    pub fn create_user(
        &self,
        name: &str,
        password: &str,
        role: Role,
    ) -> Result<User, AccountError> {
        kuzot_store::accounts::check_account_name(name)?;
        check_new_password(password)?;
        let hash = hash_password(password)?;
        self.store.create_user(name, &hash, role)
    }

    /// Every account, by name.
    pub fn users(&self) -> Result<Vec<User>, AccountError> {
        self.store.users()
    }

    /// One account by id.
    pub fn user(&self, id: i64) -> Result<Option<User>, AccountError> {
        self.store.user(id)
    }

    /// Changes the role of an account; disabling ends its sessions and tokens' use.
    pub fn set_role(&self, id: i64, role: Role, disabled: bool) -> Result<(), AccountError> {
        self.store.set_role(id, role, disabled)
    }

    /// Sets a new password, ends every session of the account and revokes its API tokens
    /// (a token minted from a stolen session must not outlive the reset), in one
    /// transaction.
    pub fn set_password(&self, id: i64, password: &str) -> Result<(), AccountError> {
        check_new_password(password)?;
        let hash = hash_password(password)?;
        self.store.set_password_hash(id, &hash)
    }

    /// Checks a name and password; the account when they match and it is enabled.
    pub fn authenticate(&self, name: &str, password: &str) -> Result<Option<User>, AccountError> {
        match self.store.user_and_password_hash(name)? {
            Some((user, hash)) => {
                Ok((verify_password(password, &hash) && !user.disabled).then_some(user))
            }
            None => {
                let _ = verify_password(password, dummy_hash());
                Ok(None)
            }
        }
    }

    /// Starts a session: returns the cookie value (shown once, stored hashed).
    pub fn create_session(&self, user_id: i64) -> Result<String, AccountError> {
        self.store.create_session(user_id)
    }

    /// The live session of a cookie value, extending it (sliding expiry).
    pub fn session(&self, token: &str) -> Result<Option<Session>, AccountError> {
        self.store.session(token)
    }

    /// Ends a session.
    pub fn end_session(&self, token: &str) -> Result<(), AccountError> {
        self.store.end_session(token)
    }

    /// Creates a read-only API token for an account; returns its secret, shown once.
    pub fn create_api_token(&self, user_id: i64, name: &str) -> Result<String, AccountError> {
        self.create_scoped_api_token(user_id, name, TokenScope::Read)
    }

    /// Creates an API token with a scope; returns its secret, shown once.
    pub fn create_scoped_api_token(
        &self,
        user_id: i64,
        name: &str,
        scope: TokenScope,
    ) -> Result<String, AccountError> {
        self.store.create_api_token(user_id, name, scope)
    }

    /// The account of an API token, if the token is live.
    pub fn api_token_user(&self, secret: &str) -> Result<Option<User>, AccountError> {
        Ok(self.api_token(secret)?.map(|(user, _)| user))
    }

    /// The account and scope of an API token, if the token is live.
    pub fn api_token(&self, secret: &str) -> Result<Option<(User, TokenScope)>, AccountError> {
        self.store.api_token(secret)
    }

    /// An account's live tokens.
    pub fn api_tokens(&self, user_id: i64) -> Result<Vec<ApiToken>, AccountError> {
        self.store.api_tokens(user_id)
    }

    /// Revokes one of an account's tokens; false when it has no such token.
    pub fn revoke_api_token(&self, user_id: i64, token_id: i64) -> Result<bool, AccountError> {
        self.store.revoke_api_token(user_id, token_id)
    }

    /// Makes a one-time setup link token (for the first admin); returns the secret.
    pub fn create_setup_link(&self) -> Result<String, AccountError> {
        self.store.create_setup_link()
    }

    /// Whether a setup link is valid (it is, until used, and only while no account exists).
    pub fn setup_link_valid(&self, token: &str) -> Result<bool, AccountError> {
        self.store.setup_link_valid(token)
    }

    /// Uses a setup link: creates the first admin and burns the link; parallel uses of one
    /// link create exactly one admin.
    pub fn complete_setup(
        &self,
        token: &str,
        name: &str,
        password: &str,
    ) -> Result<User, AccountError> {
        let used = || AccountError::Invalid("this setup link is used or unknown".into());
        // Refuse a dead link before spending a hash on it.
        if !self.store.setup_link_valid(token)? {
            return Err(used());
        }
        kuzot_store::accounts::check_account_name(name)?;
        check_new_password(password)?;
        let hash = hash_password(password)?;
        self.store.complete_setup(token, name, &hash)
    }

    /// Appends to the audit log.
    pub fn audit(&self, actor: &str, action: &str, detail: &str) -> Result<(), AccountError> {
        self.store.audit(actor, action, detail)
    }

    /// Records the status of an import job for every server of the deployment.
    pub fn save_import_job(
        &self,
        id: i64,
        started_by: &str,
        status: &str,
    ) -> Result<(), AccountError> {
        self.store.save_import_job(id, started_by, status)
    }

    /// The last recorded status of an import job (who started it, status JSON).
    pub fn import_job(&self, id: i64) -> Result<Option<(String, String)>, AccountError> {
        self.store.import_job(id)
    }

    /// The latest audit entries, newest first.
    pub fn audit_log(&self, limit: u64) -> Result<Vec<AuditEntry>, AccountError> {
        self.store.audit_log(limit)
    }

    /// Checks the audit log's hash chain (the whole log, in one snapshot).
    pub fn verify_audit_chain(&self) -> Result<kuzot_store::AuditChainStatus, AccountError> {
        self.store.verify_audit_chain()
    }

    /// Starts a login attempt for `keys` (counted before the password is hashed); false
    /// when any key used its attempts within the throttle's window. Shared by every
    /// process on the same store.
    pub fn begin_login_attempt(
        &self,
        keys: &[&str],
        throttle: LoginThrottle,
    ) -> Result<bool, AccountError> {
        self.store.begin_login_attempt(keys, throttle)
    }

    /// Forgets the attempts of `keys` after a successful login.
    pub fn forget_login_attempts(&self, keys: &[&str]) -> Result<(), AccountError> {
        self.store.forget_login_attempts(keys)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_sessions_tokens_and_setup_links() {
        let dir = tempfile::tempdir().expect("tempdir");
        let accounts = Accounts::open(dir.path()).expect("open");
        let link = accounts.create_setup_link().expect("link");
        assert!(accounts.setup_link_valid(&link).expect("valid"));
        assert!(matches!(
            accounts.complete_setup(&link, "admin", "short"),
            Err(AccountError::PasswordTooShort { .. })
        ));
        let admin = accounts
            .complete_setup(&link, "admin", "correct horse battery")
            .expect("setup");
        assert_eq!(admin.role, Role::Admin);
        assert!(!accounts.setup_link_valid(&link).expect("burnt"));

        assert!(
            accounts
                .authenticate("admin", "wrong password!")
                .expect("auth")
                .is_none()
        );
        assert!(
            accounts
                .authenticate("nobody", "wrong password!")
                .expect("auth")
                .is_none()
        );
        let user = accounts
            .authenticate("admin", "correct horse battery")
            .expect("auth")
            .expect("matches");
        let cookie = accounts.create_session(user.id).expect("session");
        let session = accounts.session(&cookie).expect("lookup").expect("live");
        assert_eq!(session.user.name, "admin");
        assert_eq!(session.csrf.len(), 64);
        accounts.end_session(&cookie).expect("end");
        assert!(accounts.session(&cookie).expect("lookup").is_none());

        let token = accounts.create_api_token(user.id, "script").expect("token");
        assert_eq!(
            accounts
                .api_token_user(&token)
                .expect("lookup")
                .map(|u| u.id),
            Some(user.id)
        );
        let id = accounts.api_tokens(user.id).expect("list")[0].id;
        assert!(accounts.revoke_api_token(user.id, id).expect("revoke"));
        assert!(accounts.api_token_user(&token).expect("lookup").is_none());

        // Nothing secret is stored in the clear.
        drop(accounts);
        let bytes = std::fs::read(dir.path().join("accounts.db")).expect("db");
        let wal = std::fs::read(dir.path().join("accounts.db-wal")).unwrap_or_default();
        for secret in [cookie.as_str(), token.as_str(), "correct horse battery"] {
            for file in [&bytes, &wal] {
                assert!(!file.windows(secret.len()).any(|w| w == secret.as_bytes()));
            }
        }
    }

    #[test]
    fn names_are_unique_and_disabled_accounts_cannot_log_in() {
        let dir = tempfile::tempdir().expect("tempdir");
        let accounts = Accounts::open(dir.path()).expect("open");
        let u = accounts
            .create_user("aida", "long enough pass", Role::Analyst)
            .expect("create");
        assert!(matches!(
            accounts.create_user("aida", "long enough pass", Role::Viewer),
            Err(AccountError::NameTaken(_))
        ));
        assert!(matches!(
            accounts.create_user("<script>", "long enough pass", Role::Viewer),
            Err(AccountError::Invalid(_))
        ));
        accounts
            .set_role(u.id, Role::Viewer, true)
            .expect("disable");
        assert!(
            accounts
                .authenticate("aida", "long enough pass")
                .expect("auth")
                .is_none()
        );
    }
}
