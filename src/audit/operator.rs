//! Who and where: every record carries the operator (default `$USER@hostname`, or the team
//! ledger's `operator` setting) and the machine it was written on, so "who deregistered this
//! number yesterday?" has an answer.

/// This machine's name, cleaned; "unknown-host" when the system does not say.
pub fn hostname() -> String {
    #[cfg(unix)]
    {
        let mut buf = [0u8; 256];
        // SAFETY: the buffer is ours and its length is passed; gethostname writes within it.
        let rc = unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len()) };
        if rc == 0 {
            let end = buf.iter().position(|b| *b == 0).unwrap_or(buf.len());
            let name = crate::clean::text(&String::from_utf8_lossy(&buf[..end]), 64);
            if !name.trim().is_empty() {
                return name.trim().to_owned();
            }
        }
    }
    "unknown-host".into()
}

/// `$USER@hostname`, the operator when none is configured.
pub fn default_operator() -> String {
    let user = std::env::var("USER")
        .or_else(|_| std::env::var("LOGNAME"))
        .ok()
        .filter(|u| !u.trim().is_empty())
        .or_else(account_name)
        .map(|u| crate::clean::text(&u, 64))
        .filter(|u| !u.trim().is_empty())
        .unwrap_or_else(|| "unknown".into());
    format!("{user}@{}", hostname())
}

/// The account's name from the user database, when the environment does not say.
fn account_name() -> Option<String> {
    #[cfg(unix)]
    {
        // SAFETY: getpwuid returns a pointer into static storage or null; the name is copied
        // out at once, before any other call could reuse that storage.
        unsafe {
            let pw = libc::getpwuid(libc::geteuid());
            if pw.is_null() || (*pw).pw_name.is_null() {
                return None;
            }
            Some(
                std::ffi::CStr::from_ptr((*pw).pw_name)
                    .to_string_lossy()
                    .into_owned(),
            )
        }
    }
    #[cfg(not(unix))]
    {
        None
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_default_operator_names_a_user_and_this_host() {
        let operator = super::default_operator();
        let (user, host) = operator.split_once('@').unwrap();
        assert!(!user.is_empty());
        assert_eq!(host, super::hostname());
        assert!(!host.chars().any(char::is_control));
    }
}
