//! Counts with their noun, singular or plural: "1 number", "2 numbers".

/// `n` and the noun, with an `s` unless there is exactly one.
pub fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn one_is_singular_everything_else_plural() {
        assert_eq!(super::count(1, "number"), "1 number");
        assert_eq!(super::count(0, "number"), "0 numbers");
        assert_eq!(super::count(20_000, "record"), "20000 records");
    }
}
