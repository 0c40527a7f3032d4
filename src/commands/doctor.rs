//! `mien doctor`: checks what mien depends on (sound device, camera, models, data dir, library,
//! config) and says for each what is wrong and what to do; lists the sound devices it sees.

use std::path::Path;
use std::time::Duration;

use serde::Serialize;

use super::Context;
use crate::audio::{list_devices, probe_device};

#[derive(Debug, Serialize, PartialEq, Eq, Clone, Copy)]
#[serde(rename_all = "lowercase")]
enum Status {
    Ok,
    Warn,
    Error,
}

#[derive(Debug, Serialize)]
struct Check {
    name: &'static str,
    status: Status,
    detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    hint: Option<String>,
}

fn check(name: &'static str, status: Status, detail: String, hint: Option<&str>) -> Check {
    Check {
        name,
        status,
        detail,
        hint: hint.map(str::to_string),
    }
}

pub fn run(ctx: &Context, json: bool) -> anyhow::Result<()> {
    let devices = list_devices();
    let checks = vec![
        audio(ctx, &devices),
        camera(),
        models(&crate::assets::models_dir()),
        config(ctx),
        data_dir(ctx),
        library(ctx),
    ];
    if json {
        let devices: Vec<serde_json::Value> = devices
            .iter()
            .map(|d| {
                serde_json::json!({"host": d.host, "name": d.name,
                    "description": d.description, "default": d.is_default})
            })
            .collect();
        println!(
            "{}",
            serde_json::to_string_pretty(
                &serde_json::json!({ "checks": checks, "devices": devices })
            )?
        );
    } else {
        for c in &checks {
            let mark = match c.status {
                Status::Ok => "ok  ",
                Status::Warn => "warn",
                Status::Error => "FAIL",
            };
            println!("[{mark}] {:8} {}", c.name, c.detail);
            if let Some(h) = &c.hint {
                println!("       {:8} hint: {h}", "");
            }
        }
        println!("sound devices ([playback] device = \"NAME\" picks one):");
        if devices.is_empty() {
            println!("  (none)");
        }
        for d in &devices {
            let default = if d.is_default { " (default)" } else { "" };
            println!("  {}  {}{default}", d.id(), d.description);
        }
    }
    if checks.iter().any(|c| c.status == Status::Error) {
        anyhow::bail!("doctor found problems (see above)");
    }
    Ok(())
}

fn audio(ctx: &Context, devices: &[crate::audio::DeviceInfo]) -> Check {
    let p = &ctx.config.playback;
    if p.output == crate::config::OutputSetting::Null {
        return check(
            "audio",
            Status::Ok,
            "output = \"null\": playing silently by choice".into(),
            None,
        );
    }
    let seen = format!("{} device(s) seen", devices.len());
    match probe_device(p.device.as_deref(), Duration::from_millis(300)) {
        Ok(desc) => check("audio", Status::Ok, format!("{desc}; {seen}"), None),
        Err(why) => check(
            "audio",
            Status::Warn,
            format!("no usable sound device ({why}); mien plays to a silent null output"),
            Some(if p.device.is_some() {
                "pick one of the devices listed below for [playback] device, or remove it"
            } else {
                "check that PulseAudio/PipeWire runs (pactl info) or that ALSA sees a device (aplay -l), and that you are in the audio group"
            }),
        ),
    }
}

fn camera() -> Check {
    match nokhwa::query(nokhwa::utils::ApiBackend::Auto) {
        Ok(list) if !list.is_empty() => {
            let names: Vec<String> = list.iter().map(|c| c.human_name()).collect();
            check(
                "camera",
                Status::Ok,
                format!("{} found: {}", list.len(), names.join(", ")),
                None,
            )
        }
        Ok(_) => check(
            "camera",
            Status::Warn,
            "no camera found; the emotion gauge takes a manual mood instead".into(),
            Some("plug in a webcam (v4l2: /dev/video*) and check you may read it (video group)"),
        ),
        Err(e) => check(
            "camera",
            Status::Warn,
            format!("cannot list cameras: {e}"),
            Some("the emotion gauge takes a manual mood instead"),
        ),
    }
}

/// The model files mien can use, and what each is for.
const MODELS: &[(&str, &str)] = &[
    ("musicnn-msd.safetensors", "mood tagging of tracks"),
    ("mood-head.json", "the mood of tracks from their tags"),
    ("blazeface-short.safetensors", "face detection"),
    ("fer-cbam.safetensors", "facial emotion recognition"),
];

fn models(dir: &Path) -> Check {
    let missing: Vec<String> = MODELS
        .iter()
        .filter(|(file, _)| !dir.join(file).is_file())
        .map(|(file, what)| format!("{file} ({what})"))
        .collect();
    if missing.is_empty() {
        check(
            "models",
            Status::Ok,
            format!("all present in {}", dir.display()),
            None,
        )
    } else {
        check(
            "models",
            Status::Warn,
            format!("missing in {}: {}", dir.display(), missing.join(", ")),
            Some("the features that need them are off; the player works without them"),
        )
    }
}

/// The config file, its `[keys]` and the themes, through the same checks the player runs at
/// start (`root::keymap`, `root::themes`): what doctor accepts, the player accepts.
fn config(ctx: &Context) -> Check {
    let file = match &ctx.config_path {
        Some(p) => p.display().to_string(),
        None => "no config file; using defaults".into(),
    };
    if let Some(e) = &ctx.config_error {
        let hint = "fix that line (the player will not start until then); the other checks ran \
                    with the defaults";
        return check("config", Status::Error, e.to_string(), Some(hint));
    }
    let keymap = match crate::root::keymap(ctx) {
        Ok(k) => k,
        Err(e) => {
            let hint = "fix that line; `mien doctor` checks it again";
            return check("config", Status::Error, e.to_string(), Some(hint));
        }
    };
    if let Err(e) = crate::root::themes(ctx) {
        let hint = "fix the theme file or [ui] theme; the player will not start until then";
        return check("config", Status::Error, format!("{e:#}"), Some(hint));
    }
    match keymap.notes() {
        [] => check("config", Status::Ok, format!("{file} (valid)"), None),
        notes => check(
            "config",
            Status::Warn,
            format!("{file}: {}", notes.join("; ")),
            Some("give the displaced action keys of its own in [keys] to silence this"),
        ),
    }
}

fn data_dir(ctx: &Context) -> Check {
    // The same check as `mien db check`: damage is named, never shown as an empty library.
    match crate::store::Store::check(&ctx.data_dir) {
        Ok(health) if !health.problems.is_empty() => {
            let what: Vec<String> = health
                .problems
                .iter()
                .map(|p| format!("{}: {}", p.file.display(), p.what))
                .collect();
            check(
                "data",
                Status::Error,
                format!("damaged: {}", what.join("; ")),
                Some(
                    "run `mien db rebuild` to rebuild it from the journal (the old files are kept)",
                ),
            )
        }
        Ok(health) => check(
            "data",
            Status::Ok,
            format!(
                "{}: {} tracks, {} ratings, {} plays",
                ctx.data_dir.display(),
                health.tracks,
                health.ratings,
                health.plays
            ),
            None,
        ),
        Err(e) => check(
            "data",
            Status::Error,
            e.to_string(),
            Some("pass --data-dir DIR to use another place, or close the other mien"),
        ),
    }
}

fn library(ctx: &Context) -> Check {
    let missing: Vec<String> = ctx
        .library
        .iter()
        .filter(|p| !p.is_dir())
        .map(|p| p.display().to_string())
        .collect();
    let folders: Vec<String> = ctx
        .library
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    if missing.is_empty() {
        check("library", Status::Ok, folders.join(", "), None)
    } else {
        check(
            "library",
            Status::Warn,
            format!("missing folders: {}", missing.join(", ")),
            Some("set [library] folders in config.toml or pass --library DIR"),
        )
    }
}
