//! Local time for the diary: the UTC offset in force at a moment (from the C library, so `TZ`
//! and the system's zone files apply, daylight saving included) and a day number as a date.

use crate::core::civil_from_days;

/// The local time zone's offset from UTC at `at_ms`, in seconds east (0 if unknown).
// `c_long` is i32 on 32-bit targets: the conversion to i64 is not useless there.
#[allow(clippy::useless_conversion)]
pub fn local_offset_s(at_ms: u64) -> i64 {
    let Ok(t) = libc::time_t::try_from(at_ms / 1000) else {
        return 0;
    };
    // SAFETY: `tm` is plain data that localtime_r fills; both pointers are valid for the call.
    unsafe {
        let mut tm: libc::tm = std::mem::zeroed();
        if libc::localtime_r(&t, &mut tm).is_null() {
            return 0;
        }
        i64::from(tm.tm_gmtoff)
    }
}

/// `YYYY-MM-DD` for a day number (days since 1970-01-01).
pub fn local_date(day: i64) -> String {
    let (y, m, d) = civil_from_days(day);
    format!("{y:04}-{m:02}-{d:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_numbers_are_dates() {
        assert_eq!(local_date(0), "1970-01-01");
        assert_eq!(local_date(20_788), "2026-12-01");
    }
}
