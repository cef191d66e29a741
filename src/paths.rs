//! Where wareg reads its config and writes its data (PRODUCT.md "Configuration").

use std::path::{Path, PathBuf};

/// The config file: `--config`, else `$WAREG_CONFIG`, else the platform config dir
/// (`~/.config/wareg/config.toml` on Linux).
pub fn config_file(flag: Option<&Path>) -> Option<PathBuf> {
    if let Some(path) = flag {
        return Some(path.to_path_buf());
    }
    if let Some(env) = std::env::var_os("WAREG_CONFIG").filter(|v| !v.is_empty()) {
        return Some(PathBuf::from(env));
    }
    project_dirs().map(|d| d.config_dir().join("config.toml"))
}

/// The data dir for the audit trail and the log file: `$WAREG_DATA_DIR`, else the platform
/// data dir (`~/.local/share/wareg` on Linux).
pub fn data_dir() -> Option<PathBuf> {
    if let Some(env) = std::env::var_os("WAREG_DATA_DIR").filter(|v| !v.is_empty()) {
        return Some(PathBuf::from(env));
    }
    project_dirs().map(|d| d.data_dir().to_path_buf())
}

pub const AUDIT_FILE: &str = "audit.jsonl";
/// The advisory lock that serialises budget checks and intents between processes.
pub const AUDIT_LOCK_FILE: &str = "audit.lock";
pub const LOG_FILE: &str = "wareg.log";

fn project_dirs() -> Option<directories::ProjectDirs> {
    directories::ProjectDirs::from("", "", "wareg")
}
