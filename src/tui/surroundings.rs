//! What the TUI asks of the world around its terminal: the clipboard (OSC 52, which the
//! terminal may or may not honour) and a browser (which an SSH session usually lacks). Both are
//! read from the environment once, so the app can say truthfully what a key did.

use std::process::{Command, Stdio};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Surroundings {
    /// Inside tmux: OSC 52 goes out wrapped for tmux's passthrough, and arrives only if tmux
    /// is set to let it through.
    pub tmux: bool,
    /// The program that opens a URL here, if any: `$BROWSER`, else the desktop's opener when
    /// a display is there. None over a plain SSH session.
    pub browser: Option<String>,
}

impl Surroundings {
    pub fn from_env() -> Surroundings {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let desktop = var("DISPLAY").is_some() || var("WAYLAND_DISPLAY").is_some();
        let browser = var("BROWSER").or_else(|| {
            if cfg!(target_os = "macos") && var("SSH_CONNECTION").is_none() {
                Some("open".into())
            } else if desktop {
                Some("xdg-open".into())
            } else {
                None
            }
        });
        Surroundings {
            tmux: var("TMUX").is_some(),
            browser,
        }
    }
}

/// OSC 52: asks the terminal (even over SSH) to put `text` on the clipboard. Inside tmux the
/// sequence is wrapped in tmux's passthrough (DCS `tmux;`, every ESC doubled), which tmux
/// hands to the outer terminal when `allow-passthrough` is on; with `set-clipboard on` tmux
/// also takes the plain form, so both go out.
pub fn osc52(text: &str, tmux: bool) -> String {
    use base64::Engine as _;
    let plain = format!(
        "\x1b]52;c;{}\x07",
        base64::engine::general_purpose::STANDARD.encode(text)
    );
    if tmux {
        format!(
            "{plain}\x1bPtmux;{}\x1b\\",
            plain.replace('\x1b', "\x1b\x1b")
        )
    } else {
        plain
    }
}

/// Starts `browser` on `url` without a shell and without touching the terminal (its output
/// would tear the screen). The URL comes from the config's ids, never from the server.
pub fn open_url(browser: &str, url: &str) {
    let mut words = browser.split_whitespace();
    let Some(program) = words.next() else {
        return;
    };
    let _ = Command::new(program)
        .args(words)
        .arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn();
}

/// WhatsApp Manager's phone-number page for a WABA, inside its business when one is known.
pub fn whatsapp_manager_url(waba: &str, business: Option<&str>) -> String {
    match business {
        Some(business) => format!(
            "https://business.facebook.com/wa/manage/phone-numbers/?business_id={business}&waba_id={waba}"
        ),
        None => format!("https://business.facebook.com/wa/manage/phone-numbers/?waba_id={waba}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn osc52_is_wrapped_for_tmux_with_every_escape_doubled() {
        let plain = osc52("106", false);
        assert_eq!(plain, "\x1b]52;c;MTA2\x07");
        let wrapped = osc52("106", true);
        assert!(
            wrapped.starts_with(&plain),
            "the plain form for set-clipboard on"
        );
        assert!(
            wrapped.ends_with("\x1bPtmux;\x1b\x1b]52;c;MTA2\x07\x1b\\"),
            "{wrapped:?}"
        );
    }

    #[test]
    fn the_manager_url_names_the_waba_and_the_business_when_known() {
        assert_eq!(
            whatsapp_manager_url("102", None),
            "https://business.facebook.com/wa/manage/phone-numbers/?waba_id=102"
        );
        assert!(whatsapp_manager_url("102", Some("77")).contains("business_id=77&waba_id=102"));
    }
}
