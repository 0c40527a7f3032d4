//! The player and `mien doctor` judge the config, the keymap and the themes the same way: what
//! the player refuses at start (before the screen changes, naming FILE:LINE, exit non-zero),
//! doctor reports as an error; user themes are found in the XDG config dir with or without a
//! config file. The real binary, no terminal (the checks come before it is needed).

use std::path::Path;
use std::process::{Command, Output};

/// `mien ARGS` with `$XDG_CONFIG_HOME` at `xdg` and the data dir inside `root`; stdout is not a
/// terminal, so the player gets as far as its start-up checks and then says it needs one.
fn mien(root: &Path, xdg: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mien"))
        .arg("--data-dir")
        .arg(root.join("data"))
        .args(args)
        .env("XDG_CONFIG_HOME", xdg)
        .output()
        .expect("run mien")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// The player refuses `config` and doctor reports the same cause; returns the player's stderr.
fn both_refuse(root: &Path, config: &str, cause: &str) -> String {
    let path = root.join("config.toml");
    std::fs::write(&path, config).unwrap();
    let cfg = path.to_str().unwrap();
    let xdg = root.join("xdg");
    let player = mien(root, &xdg, &["--config", cfg]);
    let said = String::from_utf8_lossy(&player.stderr).into_owned();
    assert!(!player.status.success(), "the player accepted {config:?}");
    assert!(said.contains(cause), "player on {config:?}: {said}");
    assert!(
        !said.contains("needs a terminal"),
        "checked too late: {said}"
    );
    let doctor = mien(root, &xdg, &["--config", cfg, "doctor"]);
    assert!(!doctor.status.success(), "doctor accepted {config:?}");
    let report = text(&doctor);
    assert!(
        report.contains(cause) && report.contains("FAIL"),
        "doctor on {config:?}: {report}"
    );
    said
}

#[test]
fn doctor_refuses_the_keys_the_player_refuses() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    for (config, cause) in [
        (
            "[keys]\nfly_away = \"x\"\n",
            "config.toml:2: unknown action \"fly_away\"",
        ),
        (
            "[keys]\nnext_track = \"ctrl-shift-hyper-zz\"\n",
            "config.toml:2: bad key \"ctrl-shift-hyper-zz\"",
        ),
        (
            "[keys]\n\nnext_track = \"f99\"\n",
            "config.toml:3: bad key \"f99\"",
        ),
        ("[keys]\nnext_track = \"\"\n", "config.toml:2: bad key \"\""),
    ] {
        both_refuse(root, config, cause);
    }
}

#[test]
fn out_of_range_values_and_unknown_themes_are_refused_with_their_line() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let cfg = root.join("config.toml");
    for (config, cause) in [
        ("[playback]\nvolume = 200\n", ":2:10: must be from 0 to 100"),
        (
            "[camera]\ncontinuous_hz = 1e12\n",
            ":2:17: must be from 0 to 30",
        ),
        (
            "[recommend]\nauto_min = 99999999999\n",
            ":2:12: must be from 1 to 1000",
        ),
    ] {
        std::fs::write(&cfg, config).unwrap();
        for args in [vec![], vec!["doctor"]] {
            let mut all = vec!["--config", cfg.to_str().unwrap()];
            all.extend(args);
            let out = mien(root, &root.join("xdg"), &all);
            assert!(!out.status.success(), "{config:?} accepted");
            assert!(text(&out).contains(cause), "{config:?}: {}", text(&out));
        }
    }
    both_refuse(
        root,
        "[ui]\nart = false\ntheme = \"nope\"\n",
        "config.toml:3: no theme named \"nope\"",
    );
}

#[test]
fn a_bad_user_theme_stops_the_start_with_its_line_even_without_a_config_file() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let xdg = root.join("xdg");
    let themes = xdg.join("mien/themes");
    std::fs::create_dir_all(&themes).unwrap();
    std::fs::write(themes.join("bad.toml"), "[colors]\n\naccent = \"#12\"\n").unwrap();
    let player = mien(root, &xdg, &[]);
    let said = String::from_utf8_lossy(&player.stderr).into_owned();
    assert!(!player.status.success());
    assert!(said.contains("bad.toml:3:10: bad colour \"#12\""), "{said}");
    assert!(
        !said.contains("needs a terminal"),
        "checked too late: {said}"
    );
    let doctor = mien(root, &xdg, &["doctor"]);
    assert!(!doctor.status.success());
    assert!(text(&doctor).contains("bad.toml:3:10"), "{}", text(&doctor));

    // A good user theme there is found and can be chosen by name, with no config file.
    std::fs::write(
        themes.join("bad.toml"),
        "name = \"mine\"\n[colors]\naccent = 33\n",
    )
    .unwrap();
    std::fs::create_dir_all(xdg.join("mien")).unwrap();
    let doctor = mien(root, &xdg, &["doctor"]);
    assert!(
        !text(&doctor).contains("bad.toml") && text(&doctor).contains("no config file"),
        "{}",
        text(&doctor)
    );
    std::fs::write(xdg.join("mien/config.toml"), "[ui]\ntheme = \"mine\"\n").unwrap();
    let player = mien(root, &xdg, &[]);
    let said = String::from_utf8_lossy(&player.stderr).into_owned();
    assert!(said.contains("needs a terminal"), "{said}");
}

#[test]
fn a_key_taken_from_another_action_is_a_doctor_warning() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let cfg = root.join("config.toml");
    std::fs::write(&cfg, "[keys]\nplay_pause = \"q\"\n").unwrap();
    let out = mien(
        root,
        &root.join("xdg"),
        &["--config", cfg.to_str().unwrap(), "doctor"],
    );
    let report = text(&out);
    assert!(
        report.contains(
            "config.toml:2: \"q\" now does play_pause instead of quit (quit keeps ctrl-c)"
        ),
        "{report}"
    );
}

#[test]
fn a_config_file_that_does_not_parse_is_one_doctor_check_and_the_others_still_run() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let cfg = root.join("config.toml");
    std::fs::write(&cfg, "[ui]\nmouse = tru\n").unwrap();
    let cfg = cfg.to_str().unwrap();
    let xdg = root.join("xdg");
    // The player refuses it, naming the file and line.
    let player = mien(root, &xdg, &["--config", cfg]);
    assert!(!player.status.success());
    assert!(
        text(&player).contains("config.toml:2:9"),
        "{}",
        text(&player)
    );
    // Doctor reports it as its config check and still checks the rest (it stopped at the
    // config file before), and fails.
    let doctor = mien(root, &xdg, &["--config", cfg, "doctor", "--json"]);
    assert!(!doctor.status.success());
    let report: serde_json::Value =
        serde_json::from_slice(&doctor.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&doctor)));
    let checks = report["checks"].as_array().expect("checks");
    let names: Vec<&str> = checks.iter().filter_map(|c| c["name"].as_str()).collect();
    for name in ["audio", "camera", "models", "config", "data", "library"] {
        assert!(names.contains(&name), "{name} missing: {names:?}");
    }
    let config = checks.iter().find(|c| c["name"] == "config").unwrap();
    assert_eq!(config["status"], "error");
    assert!(
        config["detail"]
            .as_str()
            .unwrap()
            .contains("config.toml:2:9"),
        "{config}"
    );
    assert_eq!(
        checks.iter().find(|c| c["name"] == "models").unwrap()["status"],
        "ok"
    );
}
