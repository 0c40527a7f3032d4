//! The recommender thread: owns the [`RecoStore`] and the [`TasteModel`], applies events and
//! answers rankings, one command at a time.
//!
//! Channel: [`RecoCommand`]s go in over an `mpsc` channel. Senders: whoever holds the
//! [`Recommender`] handle (the UI thread in the player, a command in the CLI). Receiver: the
//! recommender thread alone. Answers go back by value over the `reply`/`ack` sender carried in
//! each command (the player keeps one long-lived reply channel for all its rankings and tells
//! the answers apart by their [`Ranked::tag`]). Shutdown: [`RecoCommand::Shutdown`], or every
//! sender dropped; dropping the handle sends `Shutdown` and joins the thread, which checkpoints
//! the derived tables and flushes the store before it exits. The player's reply channel
//! (`runtime::Runtime`) ends when the runtime drops its sender.

use rand::SeedableRng;
use std::sync::mpsc::{self, Receiver, Sender};
use std::thread::JoinHandle;

use super::journey::JourneyMemory;
use super::model::{FixedMap, TasteModel};
use super::persist::RecoStore;
use super::score::{rank, RankContext, Recommendation, ScoreWeights};
use super::signals::{ListenEvent, ListenerMood, TrackMood};
use super::RecommendError;
use super::SeededRng;
use crate::core::TrackId;
use crate::store::Store;

/// One ranking candidate: a track and its mood vector if the tagger has one.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Candidate {
    pub track: TrackId,
    pub mood: Option<TrackMood>,
}

/// A request to the recommender thread.
pub enum RecoCommand {
    /// Log and learn one event. `ack` (if any) gets the sequence number once the event is on disk.
    Event {
        event: ListenEvent,
        ack: Option<Sender<Result<u64, RecommendError>>>,
    },
    /// Rank `candidates` for a listener in `state` (`None`: the last reading); the best `n` go back
    /// over `reply`, with `tag` (the sender's name for this request).
    Rank {
        candidates: Vec<Candidate>,
        state: Option<ListenerMood>,
        n: usize,
        tag: u64,
        reply: Sender<Ranked>,
    },
    /// What earlier journey steps (`Signal::JourneyStep` in the log) did to the listener, read
    /// from the whole log; the player asks once at start, before it logs anything.
    JourneyMemory {
        reply: Sender<JourneyMemory>,
    },
    Shutdown,
}

/// The answer to [`RecoCommand::Rank`]: the request's tag and the best tracks, best first.
#[derive(Clone, Debug, PartialEq)]
pub struct Ranked {
    pub tag: u64,
    pub tracks: Vec<Recommendation>,
}

/// The handle on the recommender thread. See the module docs.
pub struct Recommender {
    commands: Sender<RecoCommand>,
    thread: Option<JoinHandle<()>>,
}

impl Recommender {
    /// Opens the recommender's tables in `store` (rebuilding them from the log if needed) and
    /// starts the thread. `seed` drives exploration and Thompson sampling.
    pub fn start(store: &Store, seed: u64) -> Result<Recommender, RecommendError> {
        let (reco, model) = RecoStore::open(store)?;
        let (commands, inbox) = mpsc::channel();
        let store = store.clone();
        let thread = std::thread::Builder::new()
            .name("recommender".into())
            .spawn(move || serve(reco, model, &store, inbox, SeededRng::seed_from_u64(seed)))
            .map_err(RecommendError::Spawn)?;
        Ok(Recommender {
            commands,
            thread: Some(thread),
        })
    }

    /// A sender for events and rank requests, e.g. for another thread.
    pub fn sender(&self) -> Sender<RecoCommand> {
        self.commands.clone()
    }

    /// Records an event and waits until it is durable.
    pub fn record(&self, event: ListenEvent) -> Result<u64, RecommendError> {
        let (ack, done) = mpsc::channel();
        self.commands
            .send(RecoCommand::Event {
                event,
                ack: Some(ack),
            })
            .map_err(|_| RecommendError::Stopped)?;
        done.recv().map_err(|_| RecommendError::Stopped)?
    }

    /// Ranks candidates and waits for the answer.
    pub fn rank(
        &self,
        candidates: Vec<Candidate>,
        state: Option<ListenerMood>,
        n: usize,
    ) -> Result<Vec<Recommendation>, RecommendError> {
        let (reply, answer) = mpsc::channel();
        self.commands
            .send(RecoCommand::Rank {
                candidates,
                state,
                n,
                tag: 0,
                reply,
            })
            .map_err(|_| RecommendError::Stopped)?;
        answer
            .recv()
            .map(|r: Ranked| r.tracks)
            .map_err(|_| RecommendError::Stopped)
    }
}

impl Drop for Recommender {
    fn drop(&mut self) {
        let _ = self.commands.send(RecoCommand::Shutdown);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn serve(
    mut reco: RecoStore,
    mut model: TasteModel,
    store: &Store,
    inbox: Receiver<RecoCommand>,
    mut rng: SeededRng,
) {
    while let Ok(command) = inbox.recv() {
        match command {
            RecoCommand::Event { event, ack } => {
                let result = reco.append(&mut model, &event);
                if let Err(e) = &result {
                    tracing::warn!(error = %e, "recommender could not record an event");
                }
                if let Some(ack) = ack {
                    let _ = ack.send(result);
                }
            }
            RecoCommand::Rank {
                candidates,
                state,
                n,
                tag,
                reply,
            } => {
                let moods: FixedMap<TrackId, TrackMood> = candidates
                    .iter()
                    .filter_map(|c| c.mood.map(|m| (c.track, m)))
                    .collect();
                let ids: Vec<TrackId> = candidates.iter().map(|c| c.track).collect();
                let mut ctx = RankContext {
                    listener: state,
                    moods: &moods,
                    rng: &mut rng,
                    weights: ScoreWeights::default(),
                };
                let tracks = rank(&model, &ids, &mut ctx, n);
                let _ = reply.send(Ranked { tag, tracks });
            }
            RecoCommand::JourneyMemory { reply } => {
                let memory = match reco.events_from(0) {
                    Ok(events) => JourneyMemory::from_events(events.iter().map(|(_, e)| e)),
                    Err(e) => {
                        tracing::warn!(error = %e, "cannot read the journey steps from the log");
                        JourneyMemory::default()
                    }
                };
                let _ = reply.send(memory);
            }
            RecoCommand::Shutdown => break,
        }
    }
    if let Err(e) = reco.checkpoint(&model) {
        tracing::warn!(error = %e, "recommender could not checkpoint its tables on shutdown");
    }
    if let Err(e) = store.flush() {
        tracing::warn!(error = %e, "recommender could not flush the store on shutdown");
    }
}
