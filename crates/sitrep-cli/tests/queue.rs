//! The NATS JetStream pipeline: `publish`, three `worker`s in parallel and
//! `fuse-consumer` give the same store (documents, near-duplicates, fused
//! events, exports) as one `sitrep ingest` of the same inputs.
//!
//! Starts its own `nats-server -js` on a free port with a temporary store
//! directory and kills it at the end (also when the test fails). Without
//! `nats-server` on PATH the test prints a note and passes, unless
//! CI=true, where it fails: CI must install it (`.ci/run`).

mod common;

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A child process killed (and reaped) when dropped.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn nats_server() -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut dirs: Vec<PathBuf> = std::env::split_paths(&path).collect();
    // Debian installs it in /usr/sbin, which is not always on PATH.
    dirs.push("/usr/sbin".into());
    let found = dirs
        .into_iter()
        .map(|d| d.join("nats-server"))
        .find(|p| p.is_file());
    if found.is_none() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "nats-server is not installed, and CI=true: .ci/run must install it (apt-get install nats-server)"
        );
        eprintln!("note: nats-server not found on PATH; skipping the NATS queue test");
    }
    found
}

fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

/// Start `nats-server` with JetStream in `dir`; wait until it listens.
fn start_nats(bin: &Path, dir: &Path) -> (Killed, String) {
    let port = free_port();
    let conf = dir.join("nats.conf");
    std::fs::write(
        &conf,
        format!(
            "listen: 127.0.0.1:{port}\nmax_payload: 8MB\njetstream {{\n  store_dir: \"{}\"\n}}\n",
            dir.join("js").display()
        ),
    )
    .unwrap();
    let child = Command::new(bin)
        .arg("-c")
        .arg(&conf)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start nats-server");
    let guard = Killed(child);
    let t = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            t.elapsed() < Duration::from_secs(20),
            "nats-server did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    (guard, format!("nats://127.0.0.1:{port}"))
}

fn spawn(db: &Path, args: &[&str]) -> Killed {
    Killed(
        Command::new(common::bin())
            .arg("--db")
            .arg(db)
            .arg("--quiet")
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run sitrep"),
    )
}

/// Wait for a spawned command (at most `limit`) and return its stdout.
fn finish(mut k: Killed, what: &str, limit: Duration) -> String {
    let t = Instant::now();
    loop {
        if let Some(status) = k.0.try_wait().unwrap() {
            let mut out = String::new();
            let mut err = String::new();
            use std::io::Read;
            k.0.stdout.take().unwrap().read_to_string(&mut out).unwrap();
            k.0.stderr.take().unwrap().read_to_string(&mut err).unwrap();
            assert!(status.success(), "{what} failed ({status}):\n{out}\n{err}");
            return out;
        }
        assert!(
            t.elapsed() < limit,
            "{what} did not finish within {limit:?}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn three_workers_give_the_store_of_one_ingest() {
    let Some(nats) = nats_server() else { return };
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut inputs: Vec<PathBuf> = Vec::new();
    if let Some(seeds) = common::seeds() {
        inputs.push(seeds);
    }
    inputs.push(root.join("examples/reports"));
    let paths: Vec<String> = inputs.iter().map(|p| p.display().to_string()).collect();
    let tmp = tempfile::tempdir().unwrap();
    let (_server, url) = start_nats(&nats, tmp.path());

    // One process.
    let single = tmp.path().join("single.db");
    let mut args = vec!["ingest", "--json"];
    args.extend(paths.iter().map(String::as_str));
    common::ok(&single, &args);

    // The queue: publish, then three workers and the fusion consumer at once.
    let queued = tmp.path().join("queued.db");
    let mut args = vec!["publish", "--json", "--nats", &url, "--prefix", "t"];
    args.extend(paths.iter().map(String::as_str));
    let published: serde_json::Value = serde_json::from_str(&common::ok(&queued, &args)).unwrap();
    let n = published["published"].as_u64().unwrap();
    assert!(n >= 8, "{published}");
    let workers: Vec<Killed> = (0..3)
        .map(|_| {
            spawn(
                &queued,
                &[
                    "worker",
                    "--nats",
                    &url,
                    "--prefix",
                    "t",
                    "--batch",
                    "2",
                    "--idle-exit",
                    "3",
                ],
            )
        })
        .collect();
    let consumer = spawn(
        &queued,
        &[
            "fuse-consumer",
            "--nats",
            &url,
            "--prefix",
            "t",
            "--batch",
            "3",
            "--latency-ms",
            "100",
            "--exit-when-done",
        ],
    );
    let limit = Duration::from_secs(600);
    let mut done = 0;
    for (i, w) in workers.into_iter().enumerate() {
        let out = finish(w, &format!("worker {i}"), limit);
        let k: u64 = out
            .split_whitespace()
            .nth(1)
            .and_then(|x| x.parse().ok())
            .unwrap_or_else(|| panic!("worker output: {out}"));
        done += k;
    }
    // Redeliveries may make a worker do a report twice, never fewer.
    assert!(done >= n, "{done} reports extracted of {n} published");
    let out = finish(consumer, "fuse-consumer", limit);
    assert!(out.contains(&format!("{n} document(s)")), "{out}");

    // The same documents, the same near-duplicate links, the same fused events.
    let strip = |docs: Vec<serde_json::Value>| -> Vec<serde_json::Value> {
        docs.into_iter()
            .map(|mut d| {
                if let Some(o) = d.as_object_mut() {
                    o.retain(|k, _| !matches!(k.as_str(), "updated_at" | "ingested_at" | "run"));
                }
                d
            })
            .collect()
    };
    assert_eq!(strip(common::docs(&queued)), strip(common::docs(&single)));
    let events = common::ok(&single, &["events", "--json"]);
    assert!(!events.trim().is_empty(), "no fused events to compare");
    assert_eq!(common::ok(&queued, &["events", "--json"]), events);
    for f in ["jsonl", "acled-csv"] {
        assert_eq!(
            common::ok(&queued, &["export", "--format", f]),
            common::ok(&single, &["export", "--format", f]),
            "export {f}"
        );
    }

    // Publishing the same files again adds nothing (message IDs), and a
    // second consumer run finds nothing new.
    let again: serde_json::Value = serde_json::from_str(&common::ok(&queued, &args)).unwrap();
    assert_eq!(again["last_seq"], published["last_seq"], "{again}");
}
