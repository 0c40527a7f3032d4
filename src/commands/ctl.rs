//! `mien ctl ...`: one request to the player running on this data dir, its answer on stdout
//! (exit 0) or stderr (exit 1); and `mien FILE...` handing its files to that player.

use std::path::PathBuf;

use anyhow::bail;

use super::{absolute, Context};
use crate::cli::{CtlCommand, SleepArg};
use crate::control::client::{self, ClientError};
use crate::control::format::{self, Template};
use crate::control::{socket_path, Command, Reply};
use crate::library::playlist::gone_note;
use crate::root::files::tracks_of_all;

/// Runs one `mien ctl` subcommand.
pub fn run(ctx: &Context, which: CtlCommand) -> anyhow::Result<()> {
    let (command, output) = match which {
        CtlCommand::Status { json, format } => {
            // A bad template is refused before any player is asked.
            let output = match format {
                Some(f) => Output::Template(Template::parse(&f)?),
                None if json => Output::Json,
                None => Output::Plain,
            };
            (Command::Status, output)
        }
        CtlCommand::PlayPause => (Command::PlayPause, Output::Plain),
        CtlCommand::Play => (Command::Play, Output::Plain),
        CtlCommand::Pause => (Command::Pause, Output::Plain),
        CtlCommand::Next => (Command::Next, Output::Plain),
        CtlCommand::Prev => (Command::Prev, Output::Plain),
        CtlCommand::Stop => (Command::Stop, Output::Plain),
        CtlCommand::Seek { to } => (
            Command::Seek {
                ms: (to.value * 1000.0).round() as i64,
                relative: to.relative,
            },
            Output::Plain,
        ),
        CtlCommand::Volume { level } => (
            Command::Volume {
                percent: level.value as i32,
                relative: level.relative,
            },
            Output::Plain,
        ),
        CtlCommand::Rate { stars } => (Command::Rate { stars }, Output::Plain),
        CtlCommand::Mood { label } => (Command::Mood { label }, Output::Plain),
        CtlCommand::Add { files } => (
            Command::Add {
                paths: tracks(&files)?,
            },
            Output::Plain,
        ),
        CtlCommand::Sleep { after } => (
            Command::Sleep {
                minutes: match after {
                    SleepArg::Minutes(m) => Some(m),
                    SleepArg::Off => None,
                },
            },
            Output::Plain,
        ),
    };
    let reply = client::request(&socket_path(&ctx.data_dir), &command)?;
    println!("{}", output.show(reply)?);
    Ok(())
}

/// `mien FILE...` with a player already running on this data dir: the files go to the end of
/// its queue and this process ends (`Some(0)`). `None`: no player answers, start one.
pub fn hand_off(ctx: &Context, files: &[PathBuf]) -> anyhow::Result<Option<u8>> {
    let path = socket_path(&ctx.data_dir);
    if files.is_empty() || std::fs::symlink_metadata(&path).is_err() {
        return Ok(None);
    }
    let paths = tracks(files)?;
    match client::request(&path, &Command::Add { paths }) {
        Ok(Reply::Done { message }) => {
            println!(
                "{message}: handed to the player already running on {}",
                ctx.data_dir.display()
            );
            Ok(Some(0))
        }
        Ok(Reply::Error { message }) => bail!("{message}"),
        Ok(Reply::Status { .. }) => bail!("the running player answered with its status"),
        Err(ClientError::NotRunning { .. }) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// The tracks of the command line's files, with paths made absolute (the player runs elsewhere).
fn tracks(files: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    let files: Vec<PathBuf> = files.iter().map(|f| absolute(f)).collect();
    let given = match tracks_of_all(&files) {
        Ok(given) => given,
        Err(e) => bail!("{e}"),
    };
    if given.tracks.is_empty() && given.missing > 0 {
        bail!("nothing to add: {}", gone_note(given.missing));
    }
    if given.tracks.is_empty() {
        bail!("nothing to add: the playlists are empty");
    }
    if given.missing > 0 {
        crate::logging::eprint_line(&format!("mien: {}", gone_note(given.missing)));
    }
    Ok(given.tracks)
}

/// How the answer is printed.
enum Output {
    Plain,
    Json,
    Template(Template),
}

impl Output {
    fn show(&self, reply: Reply) -> anyhow::Result<String> {
        Ok(match (reply, self) {
            (Reply::Error { message }, _) => bail!("{message}"),
            (Reply::Done { message }, _) => message,
            (Reply::Status { status }, Output::Json) => serde_json::to_string(&status)?,
            (Reply::Status { status }, Output::Template(t)) => t.render(&status),
            (Reply::Status { status }, Output::Plain) => format::plain(&status),
        })
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_cli_mood_choices_are_the_emotion_classes_and_auto() {
        let mut want: Vec<&str> = crate::core::EMOTIONS.to_vec();
        want.push("auto");
        assert_eq!(crate::cli::MOOD_CHOICES.to_vec(), want);
    }
}
