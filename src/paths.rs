//! Where wareg reads its config and writes its data (docs/PRODUCT.md "Configuration").

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

/// Makes the data dir safe to write secrets' neighbours into, and says what it did or found.
/// A dir wareg creates is 0700. A dir it finds is never chmod-ed: refused if every user can
/// write to it (they could swap the trail or plant a lock), warned about if its group can
/// write to it or others can read it. Its own files found readable by others are tightened
/// to 0600, with a notice.
pub fn prepare_data_dir(dir: &Path) -> Result<Vec<String>, String> {
    let mut notices = Vec::new();
    if !dir.exists() {
        create_private_dir(dir)
            .map_err(|e| format!("cannot create the data dir {}: {e}", dir.display()))?;
        return Ok(notices);
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir)
            .map_err(|e| format!("cannot read the data dir {}: {e}", dir.display()))?
            .permissions()
            .mode()
            & 0o777;
        if mode & 0o002 != 0 {
            return Err(format!(
                "the data dir {} can be written by every user (mode {mode:o}): they could change the audit trail. Run: chmod 700 {}",
                dir.display(),
                dir.display()
            ));
        }
        // Group-writable is how many systems make a user's dirs (a private group per user):
        // said, not refused.
        if mode & 0o020 != 0 {
            notices.push(format!(
                "the data dir {} can be written by its group (mode {mode:o}); chmod 700 it unless that group is yours alone",
                dir.display()
            ));
        } else if mode & 0o044 != 0 {
            notices.push(format!(
                "the data dir {} can be read by others (mode {mode:o}); chmod 700 it to keep the audit trail private",
                dir.display()
            ));
        }
        for name in [AUDIT_FILE, LOG_FILE, AUDIT_LOCK_FILE] {
            let path = dir.join(name);
            let Ok(meta) = std::fs::metadata(&path) else {
                continue;
            };
            let mode = meta.permissions().mode() & 0o777;
            if mode & 0o077 != 0 {
                std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))
                    .map_err(|e| format!("cannot make {} private: {e}", path.display()))?;
                notices.push(format!(
                    "{} was readable by others (mode {mode:o}); it is now 0600",
                    path.display()
                ));
            }
        }
    }
    Ok(notices)
}

/// Creates `dir` (and missing parents) readable by the user alone.
pub fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}
