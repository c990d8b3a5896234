//! The user pool the provider plays: which names were deleted, and how often. A name's
//! account id (`sub`) depends on its generation, so a name signed in again after its
//! account was deleted is a new account, as a new Cognito sign-up is; a name never
//! deleted keeps the id it always had. Kept in `accounts.json` beside the signing key,
//! so it survives a restart.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::StackError;

const POOL_FILE: &str = "accounts.json";
/// Fixed, so that a name maps to the same account on every machine and after every reset.
const ACCOUNT_NAMESPACE: Uuid = Uuid::from_u128(0x6c0c_4d7e_91a2_4f5b_8e3d_2a1f_0b9c_7e64);

/// The account id (`sub`) of a sign-in name never deleted: the same name, in any case,
/// is one account.
pub fn account_id(name: &str) -> String {
    account_id_of(&name.to_lowercase(), 0)
}

fn account_id_of(name: &str, generation: u32) -> String {
    let seed = match generation {
        0 => name.to_string(),
        n => format!("{name}\n{n}"),
    };
    Uuid::new_v5(&ACCOUNT_NAMESPACE, seed.as_bytes()).to_string()
}

#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize)]
struct Entry {
    /// How many times the name's account was deleted.
    generation: u32,
    /// Deleted and not signed in since: a second delete finds no user.
    deleted: bool,
}

pub struct Pool {
    path: PathBuf,
    names: Mutex<BTreeMap<String, Entry>>,
}

/// Why a user could not be deleted.
#[derive(Debug, PartialEq, Eq)]
pub enum DeleteRefused {
    /// Cognito's `UserNotFoundException`.
    NotFound,
    /// The pool's file could not be written.
    Unsaved(String),
}

impl Pool {
    pub fn load(dir: &Path) -> Result<Self, StackError> {
        let path = dir.join(POOL_FILE);
        let names = match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| {
                StackError::Setup(format!(
                    "local sign-in accounts {}: {e}; delete it to forget deleted accounts",
                    path.display()
                ))
            })?,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => BTreeMap::new(),
            Err(source) => {
                return Err(StackError::Io {
                    what: format!("local sign-in accounts {}", path.display()),
                    source,
                });
            }
        };
        Ok(Self {
            path,
            names: Mutex::new(names),
        })
    }

    fn names(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, Entry>> {
        self.names
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The account id `name` signs in as now; a deleted name becomes a user again.
    pub fn sign_in(&self, name: &str) -> Result<String, String> {
        let name = name.to_lowercase();
        let mut names = self.names();
        let entry = names.get(&name).copied().unwrap_or_default();
        if entry.deleted {
            names.insert(
                name.clone(),
                Entry {
                    deleted: false,
                    ..entry
                },
            );
            self.save(&names)?;
        }
        Ok(account_id_of(&name, entry.generation))
    }

    /// Whether `sub` is the current, undeleted account of `name`: a token of a deleted
    /// account (or of an earlier account under the same name) is not.
    pub fn is_current(&self, name: &str, sub: &str) -> bool {
        let name = name.to_lowercase();
        let entry = self.names().get(&name).copied().unwrap_or_default();
        !entry.deleted && account_id_of(&name, entry.generation) == sub
    }

    /// `AdminDeleteUser`: the name's account is gone; the name is free for a new one.
    pub fn delete(&self, name: &str) -> Result<(), DeleteRefused> {
        let name = name.to_lowercase();
        let mut names = self.names();
        let entry = names.get(&name).copied().unwrap_or_default();
        if entry.deleted {
            return Err(DeleteRefused::NotFound);
        }
        names.insert(
            name,
            Entry {
                generation: entry.generation.saturating_add(1),
                deleted: true,
            },
        );
        self.save(&names).map_err(DeleteRefused::Unsaved)
    }

    /// Written whole to a temporary file, then renamed over the old one.
    fn save(&self, names: &BTreeMap<String, Entry>) -> Result<(), String> {
        let what = |e: &dyn std::fmt::Display| format!("{}: {e}", self.path.display());
        let dir = self.path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir).map_err(|e| what(&e))?;
        let text = serde_json::to_vec_pretty(names).map_err(|e| what(&e))?;
        let temp = dir.join(format!(".{POOL_FILE}.{}", std::process::id()));
        let mut file = std::fs::File::create(&temp).map_err(|e| what(&e))?;
        file.write_all(&text).map_err(|e| what(&e))?;
        file.sync_all().map_err(|e| what(&e))?;
        std::fs::rename(&temp, &self.path).map_err(|e| what(&e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_deleted_name_signs_in_as_a_new_account_and_the_pool_remembers_it() {
        let dir = tempfile::tempdir().unwrap();
        let pool = Pool::load(dir.path()).unwrap();
        let first = pool.sign_in("Ada").unwrap();
        assert_eq!(
            first,
            account_id("ada"),
            "a name never deleted keeps its id"
        );
        assert!(pool.is_current("ada", &first));

        pool.delete("ADA").unwrap();
        assert!(!pool.is_current("ada", &first), "deleted");
        assert_eq!(pool.delete("ada"), Err(DeleteRefused::NotFound));

        let second = pool.sign_in("ada").unwrap();
        assert_ne!(second, first, "a new account");
        assert!(pool.is_current("ada", &second));
        assert!(!pool.is_current("ada", &first), "the old one stays gone");

        let reloaded = Pool::load(dir.path()).unwrap();
        assert!(reloaded.is_current("ada", &second), "kept across a restart");
        assert_eq!(reloaded.sign_in("ada").unwrap(), second);
        assert_eq!(
            reloaded.sign_in("grace").unwrap(),
            account_id("grace"),
            "other names are untouched"
        );
    }
}
