//! Measures the desktop app beside a blank Tauri window in the same run: `scripts/bench-desktop`.
//! `cargo run --release -p scim-token-desktop --example bench_desktop -- <app> <blank window> [rounds]`
//!
//! - binary size;
//! - start to first page load: from spawning the process to its "main window loaded" log line
//!   (the `PageLoadEvent::Finished` of the main window), median of the rounds;
//! - idle memory: proportional set size (PSS, so shared libraries are not counted twice) summed
//!   over the process and every descendant (WebKit's web and network processes), 5 s after load;
//! - the same for the app started with `--tray` (no window, so no web process);
//! - the same with the sandbox running (`--sandbox`: the app and its `scim-token sandbox` child,
//!   which must be built beside the app).

#![allow(missing_docs, clippy::print_stdout, clippy::print_stderr)]

// Linux only: it drives processes under Xvfb, /proc and process groups.
#[cfg(unix)]
mod tool {
    use std::io::{BufRead, BufReader};
    use std::os::unix::process::CommandExt;
    use std::process::{Child, Command, Stdio};
    use std::sync::mpsc;
    use std::time::{Duration, Instant};

    /// How long a process settles before its memory is read.
    const SETTLE: Duration = Duration::from_secs(5);

    struct Running {
        child: Child,
        lines: mpsc::Receiver<String>,
    }

    impl Running {
        fn start(binary: &str, args: &[&str]) -> (Self, Instant) {
            let started = Instant::now();
            let mut child = Command::new(binary)
                .args(args)
                .env("SCIM_TOKEN_LOG", "info")
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .process_group(0)
                .spawn()
                .unwrap_or_else(|e| panic!("cannot start {binary}: {e}"));
            let stderr = child.stderr.take().expect("piped stderr");
            let (tx, lines) = mpsc::channel();
            std::thread::spawn(move || {
                for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                    if tx.send(line).is_err() {
                        break;
                    }
                }
            });
            (Self { child, lines }, started)
        }

        /// Waits for a log line containing `text`.
        fn wait_for(&self, text: &str) {
            let deadline = Instant::now() + Duration::from_secs(60);
            loop {
                let left = deadline.saturating_duration_since(Instant::now());
                match self.lines.recv_timeout(left) {
                    Ok(line) if line.contains(text) => return,
                    Ok(_) => {}
                    Err(e) => panic!("no {text:?} line: {e}"),
                }
            }
        }

        /// PSS in KiB of the process and all its descendants.
        fn pss_kib(&self) -> u64 {
            tree(self.child.id()).iter().map(|&pid| pss_of(pid)).sum()
        }
    }

    impl Drop for Running {
        fn drop(&mut self) {
            let group = format!("-{}", self.child.id());
            let _ = Command::new("kill").args(["-TERM", "--", &group]).status();
            let deadline = Instant::now() + Duration::from_secs(5);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = self.child.try_wait() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
            let _ = self.child.wait();
            // Let the single-instance D-Bus name and the X resources go before the next start.
            std::thread::sleep(Duration::from_millis(500));
        }
    }

    /// `pid` and every process descended from it.
    fn tree(pid: u32) -> Vec<u32> {
        let parents: Vec<(u32, u32)> = std::fs::read_dir("/proc")
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
            .filter_map(|p| {
                let stat = std::fs::read_to_string(format!("/proc/{p}/stat")).ok()?;
                // The parent pid is the second field after the parenthesised command name.
                let after = &stat[stat.rfind(')')? + 2..];
                let ppid = after.split(' ').nth(1)?.parse().ok()?;
                Some((p, ppid))
            })
            .collect();
        let mut all = vec![pid];
        let mut i = 0;
        while i < all.len() {
            let parent = all[i];
            all.extend(parents.iter().filter(|(_, pp)| *pp == parent).map(|(p, _)| *p));
            i += 1;
        }
        all
    }

    fn pss_of(pid: u32) -> u64 {
        std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup"))
            .ok()
            .and_then(|s| {
                s.lines()
                    .find(|l| l.starts_with("Pss:"))
                    .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
            })
            .unwrap_or(0)
    }

    fn median(mut values: Vec<f64>) -> f64 {
        values.sort_by(f64::total_cmp);
        values[values.len() / 2]
    }

    /// Start-to-load times (ms) and idle PSS (MiB) over `rounds` starts.
    fn window_open(binary: &str, args: &[&str], rounds: usize) -> (f64, f64) {
        let mut loads = Vec::new();
        let mut memory = Vec::new();
        for _ in 0..rounds {
            let (running, started) = Running::start(binary, args);
            running.wait_for("main window loaded");
            loads.push(started.elapsed().as_secs_f64() * 1000.0);
            std::thread::sleep(SETTLE);
            memory.push(running.pss_kib() as f64 / 1024.0);
        }
        (median(loads), median(memory))
    }

    fn in_tray(binary: &str, rounds: usize) -> f64 {
        let mut memory = Vec::new();
        for _ in 0..rounds {
            let (running, _) = Running::start(binary, &["--tray"]);
            running.wait_for("scim-token-desktop started");
            std::thread::sleep(SETTLE);
            memory.push(running.pss_kib() as f64 / 1024.0);
        }
        median(memory)
    }

    fn size_mib(path: &str) -> f64 {
        std::fs::metadata(path)
            .unwrap_or_else(|e| panic!("{path}: {e}"))
            .len() as f64
            / (1024.0 * 1024.0)
    }

    pub(crate) fn main() {
        let mut args = std::env::args().skip(1);
        let app = args.next().expect("the app binary");
        let blank = args.next().expect("the blank window binary");
        let rounds: usize = args.next().and_then(|r| r.parse().ok()).unwrap_or(5);

        // Alternate the two so drift in the machine's load hits both alike.
        let mut app_runs = Vec::new();
        let mut blank_runs = Vec::new();
        for _ in 0..rounds {
            app_runs.push(window_open(&app, &[], 1));
            blank_runs.push(window_open(&blank, &[], 1));
        }
        let app_load = median(app_runs.iter().map(|r| r.0).collect());
        let app_mem = median(app_runs.iter().map(|r| r.1).collect());
        let blank_load = median(blank_runs.iter().map(|r| r.0).collect());
        let blank_mem = median(blank_runs.iter().map(|r| r.1).collect());
        let tray = in_tray(&app, rounds);
        let (_, with_sandbox) = window_open(&app, &["--sandbox", "--sandbox-port", "0"], rounds);

        let (app_size, blank_size) = (size_mib(&app), size_mib(&blank));
        println!("| {rounds} rounds, medians | scim-token | blank Tauri window | ratio |");
        println!("|---|---|---|---|");
        println!(
            "| release binary size | {app_size:.1} MiB | {blank_size:.1} MiB | {:.2}× |",
            app_size / blank_size
        );
        println!(
            "| start → main page loaded | {app_load:.0} ms | {blank_load:.0} ms | {:.2}× |",
            app_load / blank_load
        );
        println!(
            "| idle memory, window open (PSS, all processes) | {app_mem:.1} MiB | {blank_mem:.1} MiB | {:.2}× |",
            app_mem / blank_mem
        );
        println!("| idle memory, in the tray (`--tray`) | {tray:.1} MiB | — | |");
        println!("| idle memory, window open with the sandbox (app + child) | {with_sandbox:.1} MiB | — | |");
    }
}

#[cfg(unix)]
fn main() {
    tool::main();
}

#[cfg(not(unix))]
fn main() {
    eprintln!("this tool runs on Linux only (Xvfb, /proc, process groups)");
    std::process::exit(1);
}
