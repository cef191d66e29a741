//! Counts with their noun, singular or plural: "1 number", "2 numbers".

/// `n` and the noun, with an `s` unless there is exactly one.
pub fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// [`count`] with a comma between thousands: "1 number", "20,010 numbers".
pub fn count_thousands(n: u64, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{} {noun}s", thousands(n))
    }
}

/// `n` with a comma between thousands: "20,010".
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn one_is_singular_everything_else_plural() {
        assert_eq!(super::count(1, "number"), "1 number");
        assert_eq!(super::count(0, "number"), "0 numbers");
        assert_eq!(super::count(20_000, "record"), "20000 records");
        assert_eq!(super::thousands(20_010), "20,010");
        assert_eq!(super::thousands(999), "999");
        assert_eq!(super::thousands(1_000_000), "1,000,000");
        assert_eq!(super::count_thousands(1, "number"), "1 number");
        assert_eq!(super::count_thousands(20_010, "number"), "20,010 numbers");
    }
}
