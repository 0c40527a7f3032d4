//! The store's writer thread ("store-writer"): the player's durable writes (ratings, the saved
//! queue, the play history, emotion readings) done off the UI thread, each answered by value when it matters.
//!
//! Channels: [`WriteCommand`]s go in over an `mpsc` channel from whoever holds the
//! [`StoreWriter`] (the UI thread's runtime); [`WriteReport`]s go out to the sender given to
//! [`StoreWriter::spawn`] (forwarded to the UI thread as messages). Shutdown: dropping the
//! handle closes the command channel; the thread performs every command already sent, flushes
//! the database and ends, and the drop joins it, so nothing sent before quitting is lost.
//!
//! A rating is reported saved only after `Store::set_rating` flushed it, so the stars on screen
//! never run ahead of the disk. Queue saves that pile up while one is being written are
//! coalesced: only the newest is written (each replaces the last anyway).

use std::sync::mpsc::{self, Receiver, Sender};
use std::thread::JoinHandle;

use super::Store;
use crate::core::{PlayRecord, Rating, SavedQueue, TrackId};

/// A durable write for the writer thread.
#[derive(Clone, Debug, PartialEq)]
pub enum WriteCommand {
    /// Set (or with `None` clear) a rating; answered with `RatingSaved` or `RatingFailed`.
    SetRating { id: TrackId, rating: Option<Rating> },
    /// Replace the saved queue; answered only if it fails.
    SaveQueue(SavedQueue),
    /// Append a play to the history; answered only if it fails.
    RecordPlay(PlayRecord),
    /// Append an emotion reading; answered only if it fails.
    RecordReading(super::ReadingRecord),
}

/// What the writer thread reports.
#[derive(Clone, Debug, PartialEq)]
pub enum WriteReport {
    /// The rating is on disk.
    RatingSaved {
        id: TrackId,
        rating: Option<Rating>,
    },
    RatingFailed {
        id: TrackId,
        error: String,
    },
    QueueNotSaved(String),
    PlayNotRecorded(String),
    ReadingNotRecorded(String),
}

/// Handle on the writer thread. See the module docs.
pub struct StoreWriter {
    commands: Option<Sender<WriteCommand>>,
    thread: Option<JoinHandle<()>>,
}

impl StoreWriter {
    /// Starts the thread writing to `store`; its reports go to `reports`.
    pub fn spawn(store: Store, reports: Sender<WriteReport>) -> std::io::Result<StoreWriter> {
        let (commands, inbox) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("store-writer".into())
            .spawn(move || serve(&store, &inbox, &reports))?;
        Ok(StoreWriter {
            commands: Some(commands),
            thread: Some(thread),
        })
    }

    /// Queues a write; `false` if the thread has stopped.
    pub fn send(&self, cmd: WriteCommand) -> bool {
        self.commands.as_ref().is_some_and(|c| c.send(cmd).is_ok())
    }
}

impl Drop for StoreWriter {
    fn drop(&mut self) {
        self.commands = None;
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn serve(store: &Store, inbox: &Receiver<WriteCommand>, reports: &Sender<WriteReport>) {
    while let Ok(first) = inbox.recv() {
        let mut batch: Vec<WriteCommand> = std::iter::once(first).chain(inbox.try_iter()).collect();
        // Only the newest queue save of the batch is worth writing.
        if let Some(last) = batch
            .iter()
            .rposition(|c| matches!(c, WriteCommand::SaveQueue(_)))
        {
            let mut i = 0;
            batch.retain(|c| {
                i += 1;
                i - 1 == last || !matches!(c, WriteCommand::SaveQueue(_))
            });
        }
        for cmd in batch {
            if let Some(report) = perform(store, cmd) {
                // The owner may be gone while the last writes drain; they are done anyway.
                let _ = reports.send(report);
            }
        }
    }
    if let Err(e) = store.flush() {
        tracing::warn!(error = %e, "the last writes may not be on disk");
    }
}

fn perform(store: &Store, cmd: WriteCommand) -> Option<WriteReport> {
    match cmd {
        WriteCommand::SetRating { id, rating } => Some(match store.set_rating(id, rating) {
            Ok(()) => WriteReport::RatingSaved { id, rating },
            Err(e) => WriteReport::RatingFailed {
                id,
                error: e.to_string(),
            },
        }),
        WriteCommand::SaveQueue(q) => store
            .save_queue(&q)
            .err()
            .map(|e| WriteReport::QueueNotSaved(e.to_string())),
        WriteCommand::RecordPlay(rec) => store
            .record_play(&rec)
            .err()
            .map(|e| WriteReport::PlayNotRecorded(e.to_string())),
        WriteCommand::RecordReading(r) => store
            .record_reading(&r)
            .err()
            .map(|e| WriteReport::ReadingNotRecorded(e.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::PlayOutcome;
    use std::path::PathBuf;
    use std::time::Duration;

    fn queue(n: usize) -> SavedQueue {
        SavedQueue {
            paths: (0..n)
                .map(|i| PathBuf::from(format!("/m/{i}.flac")))
                .collect(),
            current: Some(0),
            position_ms: 0,
            ..Default::default()
        }
    }

    #[test]
    fn a_rating_is_reported_saved_once_it_is_on_disk_and_every_write_survives_the_drop() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open(dir.path()).expect("store");
        let (tx, rx) = mpsc::channel();
        let writer = StoreWriter::spawn(store.clone(), tx).expect("writer thread");
        let id = TrackId::from_path(std::path::Path::new("/m/a.flac"));
        let rating = Rating::new(4);
        assert!(writer.send(WriteCommand::SetRating { id, rating }));
        let report = rx.recv_timeout(Duration::from_secs(5)).expect("a report");
        assert_eq!(report, WriteReport::RatingSaved { id, rating });
        assert_eq!(store.rating(id).expect("read"), rating);

        for n in 1..=20 {
            writer.send(WriteCommand::SaveQueue(queue(n)));
        }
        writer.send(WriteCommand::RecordPlay(PlayRecord {
            at_ms: 1,
            track: id,
            path: "/m/a.flac".into(),
            outcome: PlayOutcome::Started,
            position_ms: 0,
        }));
        drop(writer);
        assert_eq!(
            store.load_queue().expect("read"),
            Some(queue(20)),
            "the newest"
        );
        assert_eq!(store.history(None).expect("read").len(), 1);
        assert!(rx.try_recv().is_err(), "successful saves are not reported");
    }
}
