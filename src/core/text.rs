//! Small text helpers for the messages every layer shows: counted nouns ("1 track", "3 tracks").

/// `n` and the noun, with the noun's plural (an added "s") unless `n` is 1:
/// `counted(3, "track")` is "3 tracks", `counted(1, "face")` "1 face", `counted(0, "step")`
/// "0 steps". Only for nouns whose plural adds an "s".
pub fn counted(n: usize, noun: &str) -> String {
    let s = if n == 1 { "" } else { "s" };
    format!("{n} {noun}{s}")
}

#[cfg(test)]
mod tests {
    use super::counted;

    #[test]
    fn one_is_singular_and_every_other_count_plural() {
        assert_eq!(counted(1, "star"), "1 star");
        assert_eq!(counted(0, "track"), "0 tracks");
        assert_eq!(counted(2, "face"), "2 faces");
        assert_eq!(counted(21, "step"), "21 steps");
    }
}
