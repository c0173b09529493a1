//! Real subprocesses with a deadline: a hung interpreter (or one that is not
//! Python at all and waits for input) must not hang the calibration.

use std::io::ErrorKind;
use std::os::unix::process::CommandExt;
use std::process::{Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use anyhow::{Result, anyhow, bail};

/// The program of a command could not be found: distinguishable from a
/// program that runs and fails (`--skip-if-missing` skips only this).
#[derive(Debug)]
pub struct Missing(pub String);

impl std::fmt::Display for Missing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "`{}` not found", self.0)
    }
}

impl std::error::Error for Missing {}

/// `program arg arg ...`, for messages.
pub fn show(cmd: &Command) -> String {
    std::iter::once(cmd.get_program())
        .chain(cmd.get_args())
        .map(|a| a.to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Runs `cmd` to completion with stdin closed and its output captured. It
/// runs in a process group of its own; if it is still running after
/// `timeout`, the whole group (its children too) is killed and this fails
/// naming the command. The deadline is kept by a thread that sleeps, so the
/// measured process is not disturbed by polling.
pub fn output(cmd: &mut Command, timeout: Duration) -> Result<Output> {
    let what = show(cmd);
    cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).process_group(0);
    let child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) if e.kind() == ErrorKind::NotFound => {
            return Err(anyhow!(Missing(cmd.get_program().to_string_lossy().into_owned())));
        }
        Err(e) => return Err(anyhow!("cannot run `{what}`: {e}")),
    };
    let group = child.id();
    let (done, finished) = mpsc::channel::<()>();
    let watchdog = std::thread::spawn(move || {
        if finished.recv_timeout(timeout) == Err(mpsc::RecvTimeoutError::Timeout) {
            kill_group(group, "KILL");
            true
        } else {
            false
        }
    });
    let out = child.wait_with_output();
    let _ = done.send(());
    let killed = watchdog.join().unwrap_or(false);
    if killed {
        bail!("`{what}` did not finish within {} s and was killed", timeout.as_secs_f64());
    }
    out.map_err(|e| anyhow!("cannot wait for `{what}`: {e}"))
}

/// Sends `signal` (`TERM`, `KILL`) to process group `group`.
pub fn kill_group(group: u32, signal: &str) {
    let _ = Command::new("kill")
        .args([&format!("-{signal}"), "--", &format!("-{group}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

/// Sends `signal` to process `pid`.
pub fn kill(pid: u32, signal: &str) {
    let _ = Command::new("kill")
        .args([&format!("-{signal}"), &pid.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hung_command_is_killed_and_named() {
        let start = std::time::Instant::now();
        let err = output(Command::new("sleep").arg("30"), Duration::from_millis(300)).unwrap_err();
        assert!(start.elapsed() < Duration::from_secs(10));
        let msg = err.to_string();
        assert!(msg.contains("`sleep 30`") && msg.contains("killed"), "{msg}");
    }

    #[test]
    fn a_missing_program_is_told_apart() {
        let err = output(&mut Command::new("/nonexistent/python3"), Duration::from_secs(5)).unwrap_err();
        assert!(err.downcast_ref::<Missing>().is_some(), "{err}");
    }

    #[test]
    fn output_is_captured() {
        let out = output(Command::new("sh").args(["-c", "echo hi; echo err >&2"]), Duration::from_secs(10)).unwrap();
        assert_eq!(String::from_utf8_lossy(&out.stdout), "hi\n");
        assert_eq!(String::from_utf8_lossy(&out.stderr), "err\n");
    }
}
