//! `mien diary [--days N] [--json]`: the mood diary (`crate::diary`) as a text chart or JSON.
//! While a player holds the database it is read from the journal instead (tracks then go by
//! their file names).

use super::Context;
use crate::diary::{self, Diary};

pub fn run(ctx: &Context, days: u32, json: bool) -> anyhow::Result<()> {
    let now = crate::core::now_ms();
    let diary = match ctx.open_store_or_journal(json)? {
        Some(store) => diary::load(&store, days, now)?,
        None => diary::load_from_journal(&ctx.data_dir, days, now)?,
    };
    if json {
        println!("{}", serde_json::to_string_pretty(&diary)?);
    } else {
        print!("{}", text(&diary, diary::local_offset_s(now)));
    }
    Ok(())
}

/// Valence −1..1 as one of 8 block heights.
fn cell(valence: Option<f32>) -> char {
    const BLOCKS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    valence.map_or('·', |v| {
        BLOCKS[(((v.clamp(-1.0, 1.0) + 1.0) / 2.0) * 7.0).round() as usize]
    })
}

/// A count as one character: a digit, `+` from 10, `·` for none.
fn count(n: u32) -> char {
    match n {
        0 => '·',
        1..=9 => char::from(b'0' + n as u8),
        _ => '+',
    }
}

/// The text chart: per day a row of hourly valence cells with the day's counts, rows of plays
/// and skips per hour under days that have them, then "what lifted you".
pub fn text(d: &Diary, offset_s: i64) -> String {
    let mut out = String::new();
    let (first, last) = (
        d.days.first().map_or("", |x| x.date.as_str()),
        d.days.last().map_or("", |x| x.date.as_str()),
    );
    let sign = if offset_s < 0 { '-' } else { '+' };
    let off = offset_s.unsigned_abs();
    out += &format!(
        "mood diary {first} to {last}, local time (UTC{sign}{:02}:{:02})\n",
        off / 3600,
        off % 3600 / 60
    );
    out += "each cell an hour: your mean valence ▁ low … █ high, · no reading\n\n";
    out += "            0     6     12    18       plays  skips  readings   mood\n";
    for day in &d.days {
        let cells: String = day.hours.iter().map(|h| cell(h.valence)).collect();
        let mood = day.valence.map_or("   ·".into(), |v| format!("{v:+.2}"));
        out += &format!(
            "{}  {cells}  {:>6} {:>6} {:>9}  {mood}\n",
            day.date, day.plays, day.skips, day.readings
        );
        if day.plays > 0 {
            let row: String = day.hours.iter().map(|h| count(h.plays)).collect();
            out += &format!("    played  {row}\n");
        }
        if day.skips > 0 {
            let row: String = day.hours.iter().map(|h| count(h.skips)).collect();
            out += &format!("   skipped  {row}\n");
        }
    }
    let r = &d.lift_rule;
    out += &format!(
        "\nwhat lifted you: tracks after which your valence rose by {:.2} or more, {} times or \
         more\n(the mean of the {} minutes after a track started against the {} before)\n",
        r.min_rise, r.min_times, r.window_minutes, r.window_minutes
    );
    if d.lifted.is_empty() {
        out += "  nothing yet: that needs emotion readings around the plays (the camera, or `m` \
                in the player)\n";
    }
    for l in &d.lifted {
        let name = if l.artist.is_empty() {
            l.title.clone()
        } else {
            format!("{} — {}", l.title, l.artist)
        };
        out += &format!(
            "  {:>3} of {:<3} plays  {:+.2}  {name}\n",
            l.times, l.heard, l.mean_rise
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_span_low_to_high_and_counts_stay_one_character() {
        assert_eq!(cell(Some(-1.0)), '▁');
        assert_eq!(cell(Some(0.0)), '▅');
        assert_eq!(cell(Some(1.0)), '█');
        assert_eq!(cell(Some(7.0)), '█');
        assert_eq!(cell(None), '·');
        assert_eq!((count(0), count(3), count(12)), ('·', '3', '+'));
    }
}
