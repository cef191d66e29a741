//! `e`: the table as the filter shows it, written to a CSV and a JSON file side by side, in
//! the directory wareg was started from (where a user looks first), else in the data dir.

use std::io::BufWriter;
use std::path::{Path, PathBuf};

use crate::fleet::export::{self, ExportRow};

/// Writes `{stem}.csv` and `{stem}.json` into the first of `dirs` that takes them; never
/// overwrites a file. Returns both paths, or why nothing could be written.
pub fn write_files(
    rows: &[ExportRow],
    dirs: &[PathBuf],
    stem: &str,
) -> Result<(PathBuf, PathBuf), String> {
    let mut why = String::from("no directory to write to");
    for dir in dirs {
        match write_in(rows, dir, stem) {
            Ok(paths) => return Ok(paths),
            Err(e) => why = format!("cannot write in {}: {e}", dir.display()),
        }
    }
    Err(why)
}

fn write_in(rows: &[ExportRow], dir: &Path, stem: &str) -> std::io::Result<(PathBuf, PathBuf)> {
    let csv = dir.join(format!("{stem}.csv"));
    let json = dir.join(format!("{stem}.json"));
    // 0600 like everything in the data dir (where an export may land): it names numbers.
    let create = crate::private_file::create_new;
    export::write_csv(rows, BufWriter::new(create(&csv)?))?;
    if let Err(e) = create(&json).and_then(|f| export::write_json(rows, BufWriter::new(f))) {
        // Half an export is not left behind to be mistaken for a whole one.
        let _ = std::fs::remove_file(&csv);
        return Err(e);
    }
    Ok((csv, json))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fleet::Column;

    fn rows() -> Vec<ExportRow> {
        vec![
            ExportRow::default()
                .with(Column::Id, "106")
                .with(Column::Label, "Support DE")
                .with_count(Column::RegisterLeft, 9),
        ]
    }

    #[test]
    fn both_files_are_written_and_an_unwritable_dir_falls_through_to_the_next() {
        let good = tempfile::tempdir().unwrap();
        let missing = good.path().join("does-not-exist");
        let (csv, json) = write_files(&rows(), &[missing, good.path().to_path_buf()], "t").unwrap();
        let text = std::fs::read_to_string(&csv).unwrap();
        assert!(text.starts_with("id,label,"), "{text}");
        assert!(text.contains("106,Support DE,"), "{text}");
        let parsed: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
        assert_eq!(parsed[0]["register_left"], 9);
    }

    #[test]
    fn an_existing_file_is_never_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("t.csv"), "mine").unwrap();
        let err = write_files(&rows(), &[dir.path().to_path_buf()], "t").unwrap_err();
        assert!(err.contains("cannot write"), "{err}");
        assert_eq!(
            std::fs::read_to_string(dir.path().join("t.csv")).unwrap(),
            "mine"
        );
    }
}
