//! The recommender in the queue pane, on ratatui's `TestBackend`: each ranked upcoming track shows
//! its explanation dimmed after the artist, the next one's is on the pane's bottom border, auto
//! mode is named in the title, and nothing of it shows while the recommender is off. States are
//! built through `update`, with the recommender's answer sent as the runtime would forward it.

mod common;

use common::screen::{assert_shows, draw, lines, row_with};
use common::{id, Player, AWAKE, FAR_AWAY, NIGHT_DRIVE};
use mien::app::{Action, Effect, Msg};
use mien::audio::EngineEvent;
use mien::recommend::{EmotionBucket, Policy, Ranked, Reason, Recommendation};
use mien::ui::Theme;
use ratatui::style::Modifier;

fn rec(track: &str, reason: Reason, mood_word: Option<&'static str>) -> Recommendation {
    Recommendation {
        track: id(track),
        score: 1.0,
        reason,
        mood_word,
    }
}

/// Blue Hour queued, Awake playing, the recommender on; its answer to the track start puts Far
/// Away ("calm, to calm you …") before Night Drive ("something new to try").
fn ranked_player() -> Player {
    let mut p = Player::new();
    p.state.reco.enabled = true;
    p.press("enter e enter");
    let effects = p.send(Msg::Engine(EngineEvent::TrackStarted {
        path: AWAKE.into(),
        duration_ms: Some(296_000),
    }));
    let tag = effects
        .iter()
        .find_map(|e| match e {
            Effect::RecoRank(r) => Some(r.tag),
            _ => None,
        })
        .expect("a track start asks for a ranking");
    let calm = Reason::Mood {
        policy: Some(Policy::Calm),
        bucket: EmotionBucket::Low,
    };
    p.send(Msg::RecoRanked(Ranked {
        tag,
        tracks: vec![
            rec(FAR_AWAY, calm, Some("calm")),
            rec(NIGHT_DRIVE, Reason::Explore, None),
        ],
    }));
    p
}

const CALM: &str = "calm, to calm you (you seem sad or tired)";

#[test]
fn ranked_upcoming_tracks_show_their_explanation_dimmed_after_the_artist() {
    let p = ranked_player();
    assert_eq!(p.queue_titles(), ["Awake", "Far Away", "Night Drive"]);
    let buffer = draw(&p, 160, 30);
    let y = assert_shows(&buffer, &format!("2. Far Away  Ada Lin · {CALM}"));
    assert_shows(&buffer, "3. Night Drive  Ada Lin · something new to try");
    let row = &lines(&buffer)[y];
    let x = ratatui::text::Span::raw(&row[..row.find(CALM).expect("on the row")]).width() as u16;
    let cell = &buffer[(x, y as u16)];
    assert_eq!(cell.fg, Theme::default().dim, "dimmed");
    assert!(cell.modifier.contains(Modifier::ITALIC));
    let playing = row_with(&buffer, "1. Awake").expect("Awake in the queue");
    assert!(
        !lines(&buffer)[playing].contains(" · "),
        "the playing track has no explanation"
    );
}

#[test]
fn the_next_track_s_explanation_is_on_the_queue_s_bottom_border() {
    let buffer = draw(&ranked_player(), 160, 30);
    let y = assert_shows(&buffer, &format!("next: {CALM}"));
    assert!(lines(&buffer)[y].contains('└'), "on the bottom border");
}

#[test]
fn at_80_columns_the_explanation_is_cut_off_at_the_pane_s_edge() {
    let buffer = draw(&ranked_player(), 80, 24);
    let y = assert_shows(&buffer, "2. Far Away  Ada Lin · calm");
    assert!(lines(&buffer)[y].ends_with('│'), "the border is intact");
}

#[test]
fn auto_mode_is_named_in_the_queue_title() {
    let mut p = ranked_player();
    assert!(row_with(&draw(&p, 80, 24), "· auto").is_none());
    p.send(Msg::Action(Action::ToggleAuto));
    assert_shows(&draw(&p, 80, 24), "Queue · 3 · repeat off · auto");
}

#[test]
fn with_the_recommender_off_no_explanation_or_auto_shows() {
    let mut p = ranked_player();
    p.state.reco.enabled = false;
    p.state.reco.settings.auto = true;
    p.state.reco.explanations.clear();
    let buffer = draw(&p, 160, 30);
    assert!(row_with(&buffer, "· auto").is_none());
    assert!(row_with(&buffer, "next:").is_none());
    assert!(row_with(&buffer, CALM).is_none());
}

#[test]
fn explanations_render_at_every_small_size_without_panicking() {
    let p = ranked_player();
    for w in 0..=40 {
        for h in 0..=12 {
            draw(&p, w, h);
        }
    }
}
