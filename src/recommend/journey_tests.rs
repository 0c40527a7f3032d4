use super::*;
use crate::recommend::{ListenEvent, Signal};

/// A 21 × 21 grid of certain tracks over the plane, 3 minutes each.
fn grid() -> Vec<JourneyTrack> {
    let mut out = Vec::new();
    for i in 0..21 {
        for j in 0..21 {
            out.push(JourneyTrack {
                id: TrackId(1 + i * 21 + j),
                mood: TrackMood::tagged(-1.0 + 0.1 * i as f32, -1.0 + 0.1 * j as f32, 0.9),
                duration_ms: 180_000,
                preference: 0.0,
            });
        }
    }
    out
}

fn sad() -> ListenerMood {
    ListenerMood {
        valence: -0.7,
        arousal: -0.4,
    }
}

fn none() -> HashSet<TrackId> {
    HashSet::new()
}

/// A plan with no memory of earlier journeys and nothing to avoid.
fn plan_of(tracks: &[JourneyTrack], from: ListenerMood, to: Target, minutes: u32) -> Plan {
    plan(
        tracks,
        from,
        to,
        minutes,
        &JourneyMemory::default(),
        &none(),
    )
}

#[test]
fn targets_parse_by_name_and_as_points_and_bad_ones_say_why() {
    assert_eq!(Target::parse("Calm"), Ok(Target::Calm));
    assert_eq!(
        Target::parse("0.5,-0.25"),
        Ok(Target::Point {
            valence: 0.5,
            arousal: -0.25
        })
    );
    for bad in ["relaxed", "2,0", "0.1", "a,b"] {
        let err = Target::parse(bad).unwrap_err();
        assert!(
            err.contains("happy, tense, sad, calm, focus, sleep"),
            "{err}"
        );
    }
    assert_eq!(Target::Sleep.name(), "sleep");
    assert_eq!(Target::parse("0.4,-0.2").unwrap().name(), "0.40,-0.20");
}

#[test]
fn a_journey_starts_at_the_listener_and_ends_in_the_target_region() {
    let p = plan_of(&grid(), sad(), Target::Happy, 20);
    // The first step meets the listener: inside their own region.
    let first = p.steps[0].mood;
    assert!(
        first.distance(sad().as_mood()) <= REACHED_WITHIN,
        "{first:?}"
    );
    let last = p.steps.last().unwrap().mood;
    assert!(
        last.distance(Target::Happy.point()) <= REACHED_WITHIN,
        "{last:?}"
    );
}

#[test]
fn each_step_moves_toward_the_target_never_back() {
    for to in [Target::Happy, Target::Calm, Target::Sleep, Target::Tense] {
        let p = plan(&grid(), sad(), to, 30, &JourneyMemory::default(), &none());
        let goal = to.point();
        let d: Vec<f32> = p.steps.iter().map(|s| s.mood.distance(goal)).collect();
        // Closer with every step until it arrives; then it stays in the target's region.
        let arrived = d.iter().position(|x| *x <= REACHED_WITHIN).unwrap();
        assert!(arrived >= 2, "{to:?} is not jumped to: {d:?}");
        assert!(
            d[..=arrived].windows(2).all(|w| w[1] <= w[0] + 1e-4),
            "{to:?}: {d:?}"
        );
        assert!(
            d[arrived..].iter().all(|x| *x <= REACHED_WITHIN),
            "{to:?}: {d:?}"
        );
        let w: Vec<f32> = p.steps.iter().map(|s| s.waypoint.distance(goal)).collect();
        assert!(w.windows(2).all(|w| w[1] <= w[0] + 1e-4), "{to:?}: {w:?}");
        assert!(d[0] > d[d.len() - 1] + 0.5, "{to:?}: {d:?}");
    }
}

#[test]
fn no_track_repeats_and_the_avoided_ones_are_left_out() {
    let tracks = grid();
    let avoid: HashSet<TrackId> = tracks.iter().take(200).map(|t| t.id).collect();
    let p = plan(
        &tracks,
        sad(),
        Target::Calm,
        90,
        &JourneyMemory::default(),
        &avoid,
    );
    let ids: HashSet<TrackId> = p.steps.iter().map(|s| s.track).collect();
    assert_eq!(ids.len(), p.steps.len());
    assert!(ids.is_disjoint(&avoid));
}

#[test]
fn the_durations_fit_the_minutes() {
    for minutes in [5, 20, 45, 60] {
        let p = plan_of(&grid(), sad(), Target::Sleep, minutes);
        let span = u64::from(minutes) * 60_000;
        // 3-minute tracks: within half a track of the span.
        assert!(
            p.total_ms().abs_diff(span) <= 90_000,
            "{minutes}: {}",
            p.total_ms()
        );
        let starts: Vec<u64> = p.steps.iter().map(|s| s.start_ms).collect();
        assert_eq!(starts[0], 0);
        assert!(starts.windows(2).all(|w| w[1] == w[0] + 180_000));
    }
    // A library of one short track still gives a one-step plan.
    let one = &grid()[..1];
    assert_eq!(
        plan(
            one,
            sad(),
            Target::Calm,
            60,
            &JourneyMemory::default(),
            &none()
        )
        .steps
        .len(),
        1
    );
}

#[test]
fn ratings_and_learned_preferences_change_the_picks() {
    let mut tracks = grid();
    let base = plan_of(&tracks, sad(), Target::Calm, 20);
    let picked = base.steps[2].track;
    let pos = tracks.iter().position(|t| t.id == picked).unwrap();
    tracks[pos].preference = -1.0; // rated 1 star
    let disliked = plan_of(&tracks, sad(), Target::Calm, 20);
    assert!(disliked.steps.iter().all(|s| s.track != picked));
    // A favourite a little off the path is taken instead of its neighbour.
    let mut tracks = grid();
    let near = base.steps[1].mood;
    let fav = tracks
        .iter()
        .position(|t| {
            (t.mood.distance(near) - 0.1).abs() < 1e-3
                && base.steps.iter().all(|s| s.track != t.id)
                && t.mood.distance(Target::Calm.point()) <= near.distance(Target::Calm.point())
        })
        .unwrap();
    tracks[fav].preference = 1.0;
    let liked = plan_of(&tracks, sad(), Target::Calm, 20);
    assert!(liked.steps.iter().any(|s| s.track == tracks[fav].id));
}

#[test]
fn a_track_that_moved_the_listener_toward_the_target_before_is_preferred() {
    let tracks = grid();
    let base = plan_of(&tracks, sad(), Target::Happy, 20);
    // A neighbour of the third pick that lifted this listener twice on earlier journeys.
    let third = base.steps[2].mood;
    let helper = tracks
        .iter()
        .find(|t| {
            (t.mood.distance(third) - 0.1).abs() < 1e-3
                && base.steps.iter().all(|s| s.track != t.id)
        })
        .unwrap();
    let step = |dv: f32, da: f32| ListenEvent {
        at_ms: 1,
        track: helper.id,
        signal: Signal::JourneyStep {
            valence_change: dv,
            arousal_change: da,
            toward_target: true,
            reached: false,
        },
        listener: None,
        mood: None,
    };
    let memory = JourneyMemory::from_events(&[step(0.5, 0.4), step(0.6, 0.3)]);
    assert_eq!(memory.steps_seen(), 2);
    let learned = plan(&tracks, sad(), Target::Happy, 20, &memory, &none());
    assert!(learned.steps.iter().any(|s| s.track == helper.id));
}

#[test]
fn uncertain_moods_are_used_only_when_nothing_certain_is_near() {
    let mut tracks = grid();
    // Make the track right at the listener's point uncertain; a certain neighbour opens instead.
    let at = tracks
        .iter()
        .position(|t| t.mood.distance(sad().as_mood()) < 1e-3)
        .unwrap();
    tracks[at].mood.confidence = 0.05;
    let p = plan_of(&tracks, sad(), Target::Calm, 20);
    assert_ne!(p.steps[0].track, tracks[at].id);
}

#[test]
fn readings_moving_against_the_plan_call_for_a_replan_and_noise_does_not() {
    let (from, to) = (sad(), Target::Happy);
    let now = 1_000_000;
    // Valence falls by 0.3 over 50 s while the plan lifts it.
    let falling: Vec<(u64, f32, f32)> = (0..=10)
        .map(|i| (now - 50_000 + i * 5_000, -0.5 - 0.03 * i as f32, -0.3))
        .collect();
    assert!(moving_against(&falling, now, from, to));
    // Toward the target: no.
    let rising: Vec<(u64, f32, f32)> = (0..=10)
        .map(|i| (now - 50_000 + i * 5_000, -0.5 + 0.03 * i as f32, -0.3))
        .collect();
    assert!(!moving_against(&rising, now, from, to));
    // Jitter of ±0.05 around a point: no.
    let jitter: Vec<(u64, f32, f32)> = (0..=10)
        .map(|i| {
            (
                now - 50_000 + i * 5_000,
                -0.5 + if i % 2 == 0 { 0.05 } else { -0.05 },
                -0.3,
            )
        })
        .collect();
    assert!(!moving_against(&jitter, now, from, to));
    // The same fall, but older than the window, or over only 10 s: no.
    assert!(!moving_against(&falling, now + 120_000, from, to));
    assert!(!moving_against(&falling[8..], now, from, to));
}

#[test]
fn a_replan_from_where_the_listener_is_starts_there() {
    let tracks = grid();
    let first = plan_of(&tracks, sad(), Target::Happy, 20);
    let played: HashSet<TrackId> = first.steps[..2].iter().map(|s| s.track).collect();
    let now = ListenerMood {
        valence: -0.9,
        arousal: 0.2,
    };
    let again = replan(
        &tracks,
        now,
        None,
        Target::Happy,
        14,
        &JourneyMemory::default(),
        &played,
    );
    // A running journey's first step after a re-plan is a whole step from the listener, toward
    // the target (no second "meet the listener" step).
    let goal = Target::Happy.point();
    let d = again.steps[0].mood.distance(now.as_mood());
    assert!((0.3..=MAX_STEP + 0.1).contains(&d), "{d}");
    assert!(again.steps[0].mood.distance(goal) < now.as_mood().distance(goal) - 0.3);
    assert!(again.steps.iter().all(|s| !played.contains(&s.track)));
    assert!(
        again
            .steps
            .last()
            .unwrap()
            .mood
            .distance(Target::Happy.point())
            <= REACHED_WITHIN
    );
}

#[test]
fn a_small_library_ends_the_plan_early_rather_than_walk_back() {
    // Three tracks on the way from sad to calm, and one far back in the tense corner.
    let t = |n: u64, v: f32, a: f32| JourneyTrack {
        id: TrackId(n),
        mood: TrackMood::tagged(v, a, 0.9),
        duration_ms: 60_000,
        preference: 0.0,
    };
    let tracks = [
        t(1, -0.7, -0.4),
        t(2, 0.0, -0.5),
        t(3, 0.5, -0.5),
        t(4, -0.8, 0.8),
    ];
    let p = plan_of(&tracks, sad(), Target::Calm, 20);
    let ids: Vec<u64> = p.steps.iter().map(|s| s.track.0).collect();
    assert_eq!(ids, [1, 2, 3]);
}

#[test]
fn a_replan_expects_the_playing_step_to_move_the_listener_first() {
    let now = ListenerMood {
        valence: -0.7,
        arousal: -0.4,
    };
    let playing = TrackMood::tagged(-0.1, -0.4, 0.9);
    let memory = JourneyMemory::default();
    let (alone, after) = (
        replan(&grid(), now, None, Target::Calm, 12, &memory, &none()),
        replan(
            &grid(),
            now,
            Some(playing),
            Target::Calm,
            12,
            &memory,
            &none(),
        ),
    );
    // From (−0.4, −0.4), halfway to the playing step, instead of from the listener.
    let (w0, w1) = (alone.steps[0].waypoint, after.steps[0].waypoint);
    let goal = Target::Calm.point();
    assert!(w1.distance(goal) < w0.distance(goal) - 0.2, "{w0:?} {w1:?}");
    assert_eq!(after.from, now);
}

#[test]
fn a_long_journey_walks_more_gently_than_a_short_one() {
    let memory = JourneyMemory::default();
    let second = |minutes| {
        let p = plan(&grid(), sad(), Target::Happy, minutes, &memory, &none());
        p.steps[1].waypoint.distance(p.steps[0].waypoint)
    };
    let (short, long) = (second(15), second(60));
    assert!(
        short <= MAX_STEP + 1e-4 && long < short - 0.2,
        "{short} {long}"
    );
}
