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
/// Where bulk runs keep their journals and locks, in the data dir.
pub const BULK_DIR: &str = "bulk";

fn project_dirs() -> Option<directories::ProjectDirs> {
    directories::ProjectDirs::from("", "", "wareg")
}

/// Makes the data dir safe to write secrets' neighbours into, and says what it did or found.
/// A dir wareg creates is 0700. A dir it finds is never chmod-ed: refused if it belongs to
/// another user (as ssh refuses such a `~/.ssh`: root running on a desk's dir would write
/// where that user can plant links), refused if every user can write to it (they could swap
/// the trail or plant a lock), refused if a link stands in the place of a file wareg keeps
/// there, warned about if its group can write to it or others can read it. Its files (and
/// those of `bulk/`) found readable by others are tightened to 0600 through the opened file,
/// with a notice.
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
        let meta = std::fs::metadata(dir)
            .map_err(|e| format!("cannot read the data dir {}: {e}", dir.display()))?;
        refuse_another_users(dir, &meta)?;
        let mode = meta.permissions().mode() & 0o777;
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
        for path in refuse_links(dir)? {
            // Opened without following a link: the mode is read and set on this very file.
            let Ok(file) = crate::private_file::open_read(&path) else {
                continue;
            };
            let Ok(meta) = file.metadata() else {
                continue;
            };
            let mode = meta.permissions().mode() & 0o777;
            if mode & 0o077 != 0 {
                crate::private_file::make_private(&file)
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

/// The data dir must be the running user's own: another user could plant links in it, or
/// read what wareg writes there. (The dir may itself be a link; what it leads to is checked.)
#[cfg(unix)]
fn refuse_another_users(dir: &Path, meta: &std::fs::Metadata) -> Result<(), String> {
    use std::os::unix::fs::MetadataExt;
    // SAFETY: geteuid has no preconditions and cannot fail.
    let me = unsafe { libc::geteuid() };
    if meta.uid() == me {
        return Ok(());
    }
    Err(format!(
        "the data dir {} belongs to another user (uid {}; wareg runs as uid {me}): wareg keeps its audit trail only in a dir of the user running it, and sent nothing. Run wareg as that user, or set WAREG_DATA_DIR to a dir of your own",
        dir.display(),
        meta.uid()
    ))
}

/// A link in the data dir (or in its `bulk` dir) is refused before anything is read, written
/// or sent, whatever it is named, and so is anything that is neither a file nor a dir: each
/// file there is wareg's own, and each open refuses them anyway (`private_file`); this says
/// so at once, naming it, and changes nothing. The files there that others can read (made by
/// an older wareg, or under another umask): the throttle book, the journals and their key,
/// the locks, the exports, not only the trail and the log.
#[cfg(unix)]
fn refuse_links(dir: &Path) -> Result<Vec<PathBuf>, String> {
    use std::os::unix::fs::PermissionsExt;
    let mut loose = Vec::new();
    let bulk = dir.join(BULK_DIR);
    for scanned in [dir, bulk.as_path()] {
        let Ok(entries) = std::fs::read_dir(scanned) else {
            // No bulk dir yet; an unreadable data dir is said by what reads it.
            continue;
        };
        for entry in entries.filter_map(Result::ok) {
            // The entry's own type: a link is not followed to see what it points to.
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_symlink() {
                return Err(crate::private_file::link_refused(&entry.path()));
            }
            // A FIFO, socket or device: never one of wareg's (a FIFO would hang a reader).
            if !kind.is_file() && !kind.is_dir() {
                return Err(crate::private_file::not_a_file(&entry.path()));
            }
            // The entry's own mode (not followed); read again from the opened file before any
            // change.
            if kind.is_file()
                && entry
                    .metadata()
                    .is_ok_and(|m| m.permissions().mode() & 0o077 != 0)
            {
                loose.push(entry.path());
            }
        }
    }
    Ok(loose)
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
