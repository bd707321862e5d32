//! Measures the desktop app beside a blank Tauri window in the same run: `scripts/bench-desktop`.
//! `cargo run --release -p scim-token-desktop --example bench_desktop -- <app> <blank window> [rounds]`
//!
//! - binary size;
//! - start to first page load: from spawning the process to its "main window loaded" log line
//!   (the `PageLoadEvent::Finished` of the main window), median of the rounds;
//! - idle memory: proportional set size (PSS, so shared libraries are not counted twice) summed
//!   over the process and every descendant (WebKit's web and network processes), 5 s after load,
//!   and each kind of process on its own (the window's share against the blank window's);
//! - the same for the blank window showing a few lines of text (`blank_window --text`): what any
//!   page with words costs over an empty one, to tell apart from what the app's page adds;
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

        /// PSS in KiB of the process and all its descendants, by kind of process.
        fn pss_kib(&self) -> Memory {
            let mut memory = Memory::default();
            for pid in tree(self.child.id()) {
                let pss = pss_of(pid);
                let name = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
                match name.trim() {
                    _ if pid == self.child.id() => memory.app += pss,
                    "WebKitWebProces" => memory.web += pss,
                    "WebKitNetworkPr" => memory.network += pss,
                    _ => memory.other += pss,
                }
            }
            memory
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

    /// PSS in KiB of one started program's processes: its own, WebKit's web and network processes
    /// and any other (the sandbox child).
    #[derive(Clone, Copy, Default)]
    struct Memory {
        app: u64,
        web: u64,
        network: u64,
        other: u64,
    }

    impl Memory {
        fn total_mib(&self) -> f64 {
            (self.app + self.web + self.network + self.other) as f64 / 1024.0
        }

        /// The medians of each kind over `samples`, in MiB.
        fn medians(samples: &[Memory]) -> [f64; 4] {
            let of =
                |kind: fn(&Memory) -> u64| median(samples.iter().map(|m| kind(m) as f64 / 1024.0).collect());
            [of(|m| m.app), of(|m| m.web), of(|m| m.network), of(|m| m.other)]
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

    /// Start-to-load times (ms) and idle memory over `rounds` starts.
    fn window_open(binary: &str, args: &[&str], rounds: usize) -> (Vec<f64>, Vec<Memory>) {
        let mut loads = Vec::new();
        let mut memory = Vec::new();
        for _ in 0..rounds {
            let (running, started) = Running::start(binary, args);
            running.wait_for("main window loaded");
            loads.push(started.elapsed().as_secs_f64() * 1000.0);
            std::thread::sleep(SETTLE);
            memory.push(running.pss_kib());
        }
        (loads, memory)
    }

    fn in_tray(binary: &str, rounds: usize) -> Vec<Memory> {
        let mut memory = Vec::new();
        for _ in 0..rounds {
            let (running, _) = Running::start(binary, &["--tray"]);
            running.wait_for("scim-token-desktop started");
            std::thread::sleep(SETTLE);
            memory.push(running.pss_kib());
        }
        memory
    }

    /// One program's start times and memory samples.
    #[derive(Default)]
    struct Runs {
        loads: Vec<f64>,
        memory: Vec<Memory>,
    }

    impl Runs {
        fn add(&mut self, (loads, memory): (Vec<f64>, Vec<Memory>)) {
            self.loads.extend(loads);
            self.memory.extend(memory);
        }
    }

    fn total_median(samples: &[Memory]) -> f64 {
        median(samples.iter().map(Memory::total_mib).collect())
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

        // Alternate the three so drift in the machine's load hits them alike.
        let mut app_runs = Runs::default();
        let mut blank_runs = Runs::default();
        let mut text_runs = Runs::default();
        for _ in 0..rounds {
            app_runs.add(window_open(&app, &[], 1));
            blank_runs.add(window_open(&blank, &[], 1));
            text_runs.add(window_open(&blank, &["--text"], 1));
        }
        let tray = in_tray(&app, rounds);
        let (_, with_sandbox) = window_open(&app, &["--sandbox", "--sandbox-port", "0"], rounds);

        let (app_size, blank_size) = (size_mib(&app), size_mib(&blank));
        println!(
            "| {rounds} rounds, medians | scim-token | blank Tauri window | ratio | blank window showing a few lines of text |"
        );
        println!("|---|---|---|---|---|");
        println!(
            "| release binary size | {app_size:.1} MiB | {blank_size:.1} MiB | {:.2}× | |",
            app_size / blank_size
        );
        let (app_load, blank_load) = (median(app_runs.loads.clone()), median(blank_runs.loads.clone()));
        println!(
            "| start → main page loaded | {app_load:.0} ms | {blank_load:.0} ms | {:.2}× | {:.0} ms |",
            app_load / blank_load,
            median(text_runs.loads.clone())
        );
        let (app_mem, blank_mem) = (total_median(&app_runs.memory), total_median(&blank_runs.memory));
        println!(
            "| idle memory, window open (PSS, all processes) | {app_mem:.1} MiB | {blank_mem:.1} MiB | {:.2}× | {:.1} MiB |",
            app_mem / blank_mem,
            total_median(&text_runs.memory)
        );
        let app_parts = Memory::medians(&app_runs.memory);
        let blank_parts = Memory::medians(&blank_runs.memory);
        let text_parts = Memory::medians(&text_runs.memory);
        let kinds = [
            "the program's own process",
            "WebKit's web process (the page)",
            "WebKit's network process",
        ];
        for (i, what) in kinds.iter().enumerate() {
            println!(
                "| … of which {what} | {:.1} MiB | {:.1} MiB | {:.2}× | {:.1} MiB |",
                app_parts[i],
                blank_parts[i],
                app_parts[i] / blank_parts[i],
                text_parts[i]
            );
        }
        println!(
            "| idle memory, in the tray (`--tray`) | {:.1} MiB | — | | |",
            total_median(&tray)
        );
        let [_, _, _, child] = Memory::medians(&with_sandbox);
        println!(
            "| idle memory, window open with the sandbox (app + child) | {:.1} MiB (child {child:.1} MiB) | — | | |",
            total_median(&with_sandbox)
        );
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
