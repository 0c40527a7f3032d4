//! The recommender end to end: persistence (reopen, catch-up, rebuild of damaged or missing
//! derived tables, kill -9), the recommender thread, cold start from mood vectors, explanations,
//! queue reordering, and the ordering of methods in a small deterministic evaluation.

mod common;

use rand::SeedableRng;
use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use mien::core::TrackId;
use mien::eval::reco_protocol::{evaluate, EvalConfig, METHODS, N};
use mien::recommend::service::Candidate;
use mien::recommend::{
    rank, reorder, EmotionBucket, ListenEvent, ListenerMood, RankContext, Reason, RecoStore,
    Recommender, ScoreWeights, SeededRng, Signal, TasteModel, TrackMood,
};
use mien::store::Store;

const SAD: ListenerMood = ListenerMood {
    valence: -0.7,
    arousal: -0.4,
};

fn finished(at_ms: u64, track: u64, heard: f32, skipped: bool) -> ListenEvent {
    ListenEvent {
        at_ms,
        track: TrackId(track),
        signal: Signal::Finished {
            heard,
            skipped,
            valence_change: Some(0.1),
        },
        listener: Some(SAD),
        mood: Some(TrackMood::new(-0.3, -0.4)),
    }
}

/// A day of listening: sessions of completed and skipped tracks, a rating and an emotion change.
fn some_events() -> Vec<ListenEvent> {
    let mut events = Vec::new();
    for i in 0..40u64 {
        let at = i * 200_000 + (i / 10) * 3_600_000;
        let track = 1 + (i * 7) % 13;
        events.push(ListenEvent {
            signal: Signal::Started,
            ..finished(at, track, 1.0, false)
        });
        events.push(finished(
            at + 150_000,
            track,
            if i % 5 == 0 { 0.1 } else { 1.0 },
            i % 5 == 0,
        ));
    }
    events.push(ListenEvent {
        signal: Signal::Rated { stars: 5 },
        ..finished(9_000_000, 3, 1.0, false)
    });
    events.push(ListenEvent {
        signal: Signal::EmotionSeen,
        listener: Some(ListenerMood {
            valence: 0.8,
            arousal: 0.4,
        }),
        ..finished(9_100_000, 0, 1.0, false)
    });
    events
}

/// The model as plain comparable numbers.
fn fingerprint(m: &TasteModel) -> Vec<String> {
    let mut rows: Vec<String> = m.items.iter().map(|(t, s)| format!("i{t} {s:?}")).collect();
    for a in 1..=13 {
        for b in 1..=13 {
            rows.push(format!(
                "p{a},{b} {:.6}",
                m.similarity(TrackId(a), TrackId(b))
            ));
        }
    }
    for (s, aff) in m.affinity.iter().enumerate() {
        rows.extend(aff.iter().map(|(t, a)| format!("a{s} {t} {a:?}")));
    }
    rows.push(format!(
        "{:?} {:?} {:?} {:?} {:?}",
        m.bandits, m.centroids, m.session, m.recent, m.listener
    ));
    rows.sort();
    rows
}

fn open_store(dir: &std::path::Path) -> Store {
    Store::open(dir).expect("open store")
}

#[test]
fn the_model_reopens_from_its_derived_tables_as_it_was_learned() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut reference = TasteModel::default();
    {
        let store = open_store(dir.path());
        let (mut reco, mut model) = RecoStore::open(&store).expect("open reco");
        for e in some_events() {
            reco.append(&mut model, &e).expect("append");
            reference.apply(&e);
        }
        assert_eq!(fingerprint(&model), fingerprint(&reference));
        reco.checkpoint(&model).expect("checkpoint");
        store.flush().expect("flush");
    }
    let store = open_store(dir.path());
    let (reco, model) = RecoStore::open(&store).expect("reopen");
    assert_eq!(reco.event_count(), some_events().len());
    assert_eq!(fingerprint(&model), fingerprint(&reference));
    assert!(model.similarity(TrackId(1), TrackId(8)) != 0.0);
}

#[test]
fn a_damaged_derived_table_is_rebuilt_from_the_log() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = open_store(dir.path());
    let (mut reco, mut model) = RecoStore::open(&store).expect("open reco");
    for e in some_events() {
        reco.append(&mut model, &e).expect("append");
    }
    reco.checkpoint(&model).expect("checkpoint");
    let expected = fingerprint(&model);
    drop(reco);
    let trees = store.recommender_trees().expect("trees");
    let items = trees
        .derived
        .get("items")
        .expect("get")
        .expect("the items table");
    trees
        .derived
        .insert("items", &items[..items.len() - 3])
        .expect("damage");
    let (_reco, rebuilt) = RecoStore::open(&store).expect("reopen");
    assert_eq!(fingerprint(&rebuilt), expected);
    // The rebuild checkpointed whole tables again.
    assert_eq!(
        trees.derived.get("items").expect("get").expect("items"),
        items
    );
}

#[test]
fn missing_derived_tables_are_rebuilt_and_rows_behind_the_log_are_caught_up() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = open_store(dir.path());
    let events = some_events();
    let (mut reco, mut model) = RecoStore::open(&store).expect("open reco");
    for e in &events[..50] {
        reco.append(&mut model, e).expect("append");
    }
    reco.checkpoint(&model).expect("checkpoint");
    // The rest reach the log only, as after a crash between the log flush and the table write.
    for e in &events[50..] {
        reco.log_only(e).expect("log");
    }
    drop(reco);
    let trees = store.recommender_trees().expect("trees");
    let mut reference = TasteModel::default();
    events.iter().for_each(|e| drop(reference.apply(e)));
    let (_reco, caught_up) = RecoStore::open(&store).expect("reopen");
    assert_eq!(fingerprint(&caught_up), fingerprint(&reference));

    trees.derived.remove("pairs").expect("lose one table");
    let (_reco, rebuilt) = RecoStore::open(&store).expect("reopen");
    assert_eq!(fingerprint(&rebuilt), fingerprint(&reference));
    trees.derived.clear().expect("lose every table");
    let (reco, rebuilt) = RecoStore::open(&store).expect("reopen");
    assert_eq!(fingerprint(&rebuilt), fingerprint(&reference));
    assert!(!trees.derived.is_empty());
    assert_eq!(reco.event_count(), events.len());
}

/// Child half of the kill -9 test: records events through the thread, printing each ack.
fn record_until_killed(dir: &str) {
    let store = open_store(std::path::Path::new(dir));
    let recommender = Recommender::start(&store, 1).expect("start");
    for i in 0..100_000u64 {
        let seq = recommender
            .record(finished(i * 1000, i % 50, 1.0, false))
            .expect("record");
        println!("acked {seq}");
    }
}

#[test]
fn acknowledged_events_survive_kill_9() {
    if let Ok(dir) = std::env::var("MIEN_RECO_KILL_CHILD_DIR") {
        record_until_killed(&dir);
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let mut child = Command::new(std::env::current_exe().expect("test binary"))
        .args([
            "acknowledged_events_survive_kill_9",
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("MIEN_RECO_KILL_CHILD_DIR", dir.path())
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn child");
    let stdout = child.stdout.take().expect("stdout");
    let mut last_acked = None;
    for line in BufReader::new(stdout).lines() {
        let line = line.expect("line");
        if let Some(seq) = line.strip_prefix("acked ") {
            last_acked = seq.parse::<u64>().ok();
            if last_acked >= Some(30) {
                break;
            }
        }
    }
    child.kill().expect("kill -9"); // SIGKILL on unix
    child.wait().expect("wait");
    let acked = last_acked.expect("the child acknowledged events");
    let store = open_store(dir.path());
    let (reco, model) = RecoStore::open(&store).expect("reopen");
    assert!(
        reco.event_count() as u64 > acked,
        "{} events on disk, {acked} acknowledged",
        reco.event_count()
    );
    assert!(model.items.values().map(|s| s.liked).sum::<f32>() >= acked as f32);
}

#[test]
fn the_recommender_thread_records_ranks_and_shuts_down_on_drop() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = open_store(dir.path());
    {
        let recommender = Recommender::start(&store, 7).expect("start");
        for e in some_events() {
            recommender.record(e).expect("record");
        }
        let candidates: Vec<Candidate> = (1..=13)
            .map(|t| Candidate {
                track: TrackId(t),
                mood: None,
            })
            .collect();
        let ranked = recommender.rank(candidates, Some(SAD), 5).expect("rank");
        assert_eq!(ranked.len(), 5);
        assert!(ranked.windows(2).all(|w| w[0].score >= w[1].score));
    }
    // Dropping the handle joined the thread and released the tables.
    let (reco, _) = RecoStore::open(&store).expect("reopen after shutdown");
    assert_eq!(reco.event_count(), some_events().len());
}

#[test]
fn a_new_session_learns_what_earlier_journey_steps_did_from_the_log() {
    use mien::recommend::journey::JourneyMemory;
    use mien::recommend::service::RecoCommand;
    use mien::recommend::Signal;
    let dir = tempfile::tempdir().expect("tempdir");
    let store = open_store(dir.path());
    let step = |at_ms: u64, track: u64, dv: f32| ListenEvent {
        at_ms,
        track: TrackId(track),
        signal: Signal::JourneyStep {
            valence_change: dv,
            arousal_change: 0.0,
            toward_target: dv > 0.0,
            reached: false,
        },
        listener: Some(SAD),
        mood: None,
    };
    {
        // An earlier session: two steps of track 4 lifted the listener, one of track 9 did not.
        let recommender = Recommender::start(&store, 3).expect("start");
        for e in some_events().into_iter().chain([
            step(90_000, 4, 0.4),
            step(95_000, 4, 0.2),
            step(99_000, 9, -0.3),
        ]) {
            recommender.record(e).expect("record");
        }
    }
    // The next start: the player asks the thread for the memory, as the runtime does.
    let recommender = Recommender::start(&store, 3).expect("restart");
    let (reply, answer) = std::sync::mpsc::channel();
    (recommender.sender())
        .send(RecoCommand::JourneyMemory { reply })
        .expect("send");
    let memory: JourneyMemory = answer.recv().expect("the memory");
    assert_eq!(memory.steps_seen(), 3);
    // Along +valence: track 4 moved the listener (0.6 over 2 steps, shrunk by n/(n+2)).
    assert!((memory.along(TrackId(4), 1.0, 0.0) - 0.15).abs() < 1e-5);
    assert!(memory.along(TrackId(9), 1.0, 0.0) < 0.0);
    // Merged with this session's steps, nothing is counted twice or lost.
    let mut session = JourneyMemory::default();
    session.observe(&step(200_000, 4, 0.3));
    session.merge(memory);
    assert_eq!(session.steps_seen(), 4);
    assert!((session.along(TrackId(4), 1.0, 0.0) - 0.9 / 5.0).abs() < 1e-5);
}

#[test]
fn with_no_history_a_sad_listener_gets_music_near_their_mood_not_its_opposite() {
    let moods: HashMap<TrackId, TrackMood> = [
        (1, TrackMood::new(0.9, 0.9)),   // euphoric
        (2, TrackMood::new(-0.4, -0.3)), // gentle, a little sad
        (3, TrackMood::new(-0.6, 0.8)),  // aggressive
        (4, TrackMood::new(-0.7, -0.4)), // as sad as the listener
        (5, TrackMood::new(0.6, -0.6)),  // serene
    ]
    .into_iter()
    .map(|(t, m)| (TrackId(t), m))
    .collect();
    let ids: Vec<TrackId> = (1..=5).map(TrackId).collect();
    let mut rng = SeededRng::seed_from_u64(3);
    let mut ctx = RankContext {
        listener: Some(SAD),
        moods: &moods,
        rng: &mut rng,
        weights: ScoreWeights::default(),
    };
    let ranked = rank(&TasteModel::default(), &ids, &mut ctx, 5);
    let order: Vec<u64> = ranked.iter().map(|r| r.track.0).collect();
    let pos = |t: u64| order.iter().position(|x| *x == t).expect("ranked");
    assert!(pos(2) < pos(1) && pos(2) < pos(3), "{order:?}");
    assert!(pos(4) < pos(1) && pos(4) < pos(3), "{order:?}");
    assert!(
        matches!(
            ranked[0].reason,
            Reason::Mood {
                bucket: EmotionBucket::Low,
                ..
            }
        ),
        "{:?}",
        ranked[0]
    );
}

#[test]
fn a_mood_the_tagger_is_unsure_of_counts_less_and_is_explained_as_uncertain() {
    let moods: HashMap<TrackId, TrackMood> = [
        (1, TrackMood::tagged(-0.7, -0.4, 0.9)), // as sad as the listener, surely
        (2, TrackMood::tagged(-0.7, -0.4, 0.05)), // the same point, but a guess
    ]
    .into_iter()
    .map(|(t, m)| (TrackId(t), m))
    .collect();
    let ids: Vec<TrackId> = vec![TrackId(2), TrackId(1)];
    let mut rng = SeededRng::seed_from_u64(3);
    let mut ctx = RankContext {
        listener: Some(SAD),
        moods: &moods,
        rng: &mut rng,
        weights: ScoreWeights::default(),
    };
    let ranked = rank(&TasteModel::default(), &ids, &mut ctx, 2);
    assert_eq!(ranked[0].track, TrackId(1), "{ranked:?}");
    assert!(ranked[0].score > ranked[1].score, "{ranked:?}");
    assert_eq!(ranked[0].mood_word, Some("melancholic"));
    assert_eq!(ranked[1].mood_word, Some("uncertain"));
}

#[test]
fn a_track_played_with_one_rated_5_stars_when_sad_is_explained_by_it() {
    let relaxed = ListenerMood {
        valence: 0.5,
        arousal: -0.3,
    };
    let mut model = TasteModel::default();
    // Yesterday: 10 enjoyed when sad and rated 5 stars, then 20 right after, when relaxed.
    for (at, t, listener) in [(0, 10, SAD), (200_000, 20, relaxed)] {
        let event = ListenEvent {
            listener: Some(listener),
            ..finished(at + 180_000, t, 1.0, false)
        };
        model.apply(&ListenEvent {
            at_ms: at,
            signal: Signal::Started,
            ..event
        });
        model.apply(&event);
    }
    model.apply(&ListenEvent {
        signal: Signal::Rated { stars: 5 },
        ..finished(400_000, 10, 1.0, false)
    });
    // Today, sad again, a new session: 30 just played. 20 and 40 have no mood tags yet.
    let today = 86_400_000;
    model.apply(&ListenEvent {
        signal: Signal::Started,
        ..finished(today, 30, 1.0, false)
    });
    model.apply(&finished(today + 180_000, 30, 1.0, false));
    let no_moods: HashMap<TrackId, TrackMood> = HashMap::new();
    let mut rng = SeededRng::seed_from_u64(5);
    let mut ctx = RankContext {
        listener: Some(SAD),
        moods: &no_moods,
        rng: &mut rng,
        weights: ScoreWeights::default(),
    };
    let ranked = rank(
        &model,
        &[TrackId(40), TrackId(20), TrackId(30)],
        &mut ctx,
        3,
    );
    let order: Vec<u64> = ranked.iter().map(|r| r.track.0).collect();
    assert_eq!(order, [20, 40, 30]);
    let title = |t: TrackId| format!("Track {}", t.0);
    assert_eq!(
        ranked[0].explain(&title),
        "like Track 10 you rated 5★ when sad or tired"
    );
    assert_eq!(ranked[1].reason, Reason::Explore);
    assert_eq!(ranked[2].explain(&title), "played a moment ago");
}

#[test]
fn reorder_keeps_pins_and_the_played_part_and_ranks_the_rest() {
    let queue: Vec<(TrackId, bool)> = [
        (1, false),
        (2, false),
        (3, false),
        (4, true),
        (5, false),
        (6, false),
    ]
    .map(|(t, p)| (TrackId(t), p))
    .to_vec();
    let ranking = [TrackId(6), TrackId(5), TrackId(1)];
    assert_eq!(reorder(&queue, Some(1), &ranking), vec![0, 1, 5, 3, 4, 2]);
}

#[test]
fn mien_beats_plain_item_item_and_the_fixed_table_in_a_small_simulation() {
    let config = EvalConfig {
        tracks: 600,
        catalogue: None,
        listeners: 30,
        plays: 100,
        window: 20,
        checkpoints: vec![100],
        seed: 11,
    };
    let report = evaluate(&config);
    let m = report.final_metrics();
    let ndcg = |name: &str| m[METHODS.iter().position(|n| *n == name).expect("method")].ndcg10;
    assert!(ndcg("mien") > 1.15 * ndcg("item_item"), "{m:?}");
    assert!(ndcg("mien") > ndcg("fixed_table"), "{m:?}");
    assert!(ndcg("item_item") > ndcg("random"), "{m:?}");
    assert_eq!(m.iter().map(|x| x.n).collect::<Vec<_>>(), vec![600; N]);
    // Deterministic: the same seed gives the same numbers.
    assert_eq!(evaluate(&config).final_metrics(), m);
}

fn mien(data_dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_mien"))
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .output()
        .expect("run mien")
}

#[test]
fn eval_reco_json_has_the_issue_s_shape() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = mien(
        dir.path(),
        &["eval-reco", "--json", "--tracks", "200", "--listeners", "2"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["plays"], 200);
    assert_eq!(v["listeners"], 2);
    let methods = v["methods"].as_object().expect("methods");
    let names: Vec<&str> = methods.keys().map(String::as_str).collect();
    assert_eq!(names.len(), 5, "{names:?}");
    for name in ["random", "popularity", "fixed_table", "item_item", "mien"] {
        for metric in ["hr@10", "ndcg@10"] {
            let x = methods[name][metric].as_f64().expect("a number");
            assert!((0.0..=1.0).contains(&x), "{name} {metric} {x}");
        }
    }
}

#[test]
fn recommend_refuses_an_unknown_emotion_and_an_empty_catalogue() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = mien(dir.path(), &["recommend", "--emotion", "grumpy"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown emotion \"grumpy\""));
    let out = mien(dir.path(), &["recommend", "--emotion", "sad"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("run `mien scan` first"));
}

#[test]
fn a_seven_track_library_evaluates_with_every_pick_in_the_top_10_and_ndcg_still_ranks() {
    use mien::eval::simulate::catalogue_from_tracks;
    // The bundled library's size: seven tracks of one album, moods spread over the circumplex.
    let moods = [
        (0.6, 0.5),
        (0.4, -0.4),
        (-0.5, -0.4),
        (-0.4, 0.6),
        (0.1, 0.1),
        (0.7, -0.1),
        (-0.2, -0.7),
    ];
    let tracks: Vec<(TrackMood, String)> = moods
        .iter()
        .map(|(v, a)| (TrackMood::new(*v, *a), "Maxstack/Endgame".to_string()))
        .collect();
    let catalogue = catalogue_from_tracks(&tracks);
    assert_eq!(catalogue.len(), 7);
    assert!(
        catalogue.iter().all(|t| t.style == catalogue[0].style),
        "one album, one style"
    );
    let config = EvalConfig {
        tracks: 7,
        catalogue: Some(catalogue),
        listeners: 20,
        seed: 5,
        ..EvalConfig::default()
    };
    let m = evaluate(&config).final_metrics();
    assert!(
        m.iter().all(|x| x.n == 20 * 20),
        "every pick measured: {m:?}"
    );
    assert!(
        m.iter().all(|x| x.hr10 == 1.0),
        "at most 5 candidates: {m:?}"
    );
    // NDCG@10 is a full ranking here; mien should place the pick above random.
    let ndcg = |name: &str| m[METHODS.iter().position(|n| *n == name).expect("method")].ndcg10;
    assert!(ndcg("mien") > ndcg("random"), "{m:?}");
}

#[test]
fn recommend_ranks_a_just_played_track_last_without_showing_its_penalty_as_a_score() {
    use mien::core::{now_ms, PlayOutcome, PlayRecord};
    let dir = tempfile::tempdir().expect("tempdir");
    let paths = ["/m/a/1.wav", "/m/a/2.wav", "/m/a/3.wav"];
    {
        let store = Store::open(dir.path()).expect("open");
        for (n, p) in paths.iter().enumerate() {
            let t = common::track(p, &format!("T{n}"), "A", "B", n as u32 + 1, 2000, 60_000);
            store.put_track(&t).expect("track");
        }
        store
            .record_play(&PlayRecord {
                at_ms: now_ms(),
                track: TrackId::from_path(std::path::Path::new(paths[1])),
                path: paths[1].into(),
                outcome: PlayOutcome::Started,
                position_ms: 0,
            })
            .expect("play");
    }
    let out = common::mien(dir.path(), &["--library", "/m", "recommend"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let last = text.lines().last().expect("3 lines");
    assert!(
        last.starts_with("  3.       —  T1 — A  (") && last.ends_with("played a moment ago)"),
        "{text}"
    );
    assert!(!text.contains("-99") && !text.contains("-100"), "{text}");
    let out = common::mien(dir.path(), &["--library", "/m", "recommend", "--json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let rows = json["tracks"].as_array().expect("tracks");
    assert_eq!(rows[2]["title"], "T1");
    assert_eq!(rows[2]["just_played"], true);
    assert!(rows[2]["score"].is_null());
    assert!(rows[0]["score"].is_number() && rows[0]["just_played"] == false);
}
