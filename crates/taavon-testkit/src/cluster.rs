//! A throwaway PostgreSQL cluster of the test's own (initdb and pg_ctl, as the `postgres`
//! user when run as root), for tests that stop and start the database under a running
//! server. Without the server binaries the test skips loudly, and fails under `CI`.

use std::path::PathBuf;
use std::process::Command;

/// A cluster in a temporary directory on a free port, stopped and removed when dropped.
pub struct ThrowawayCluster {
    bin: PathBuf,
    dir: PathBuf,
    port: u16,
}

impl ThrowawayCluster {
    /// Creates and starts a cluster with a database `test`, or `None` (loudly) when this
    /// machine has no PostgreSQL server binaries.
    pub fn start() -> Option<Self> {
        let Some(bin) = server_binaries() else {
            let message = "no PostgreSQL server binaries (/usr/lib/postgresql/*/bin/initdb): \
                 this test, which stops and starts its own cluster, did NOT run";
            if std::env::var_os("CI").is_some() {
                panic!("{message} (CI is set, so this is a failure)");
            }
            eprintln!("SKIPPED: {message}");
            return None;
        };
        let port = free_port();
        let dir = std::env::temp_dir().join(format!("taavon-cluster-{}", crate::unique_suffix()));
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        if is_root() {
            // The cluster runs as `postgres`, who must own its directory.
            let owned = Command::new("chown").arg("postgres").arg(&dir).status();
            assert!(
                owned.is_ok_and(|s| s.success()),
                "chown postgres {}",
                dir.display()
            );
        }
        let cluster = Self { bin, dir, port };
        cluster.run(&format!(
            "'{}' -D '{}/data' -U postgres --auth=trust -E UTF8 >/dev/null",
            cluster.bin.join("initdb").display(),
            cluster.dir.display()
        ));
        cluster.start_server();
        cluster.run(&format!(
            "'{}' -h 127.0.0.1 -p {} -U postgres test",
            cluster.bin.join("createdb").display(),
            cluster.port
        ));
        Some(cluster)
    }

    /// The URL of its database `test`.
    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/test", self.port)
    }

    /// Stops the server at once (`immediate`: as a crash or a pulled cable would).
    pub fn stop(&self) {
        self.pg_ctl("-m immediate -w stop");
    }

    /// Starts the server again on the same port and data.
    pub fn start_server(&self) {
        self.pg_ctl(&format!(
            "-o '-p {} -k {} -c listen_addresses=127.0.0.1' -l '{}/log' -w start",
            self.port,
            self.dir.display(),
            self.dir.display()
        ));
    }

    fn pg_ctl(&self, arguments: &str) {
        self.run(&format!(
            "'{}' -D '{}/data' {arguments} >/dev/null",
            self.bin.join("pg_ctl").display(),
            self.dir.display()
        ));
    }

    /// Runs `command` as the `postgres` user (a cluster refuses to run as root).
    fn run(&self, command: &str) {
        match as_postgres(command) {
            Ok(status) if status.success() => {}
            other => panic!("`{command}` failed: {other:?}"),
        }
    }
}

impl Drop for ThrowawayCluster {
    fn drop(&mut self) {
        // Best effort: a cluster already stopped refuses a second stop.
        let _ = as_postgres(&format!(
            "'{}' -D '{}/data' -m immediate stop >/dev/null 2>&1",
            self.bin.join("pg_ctl").display(),
            self.dir.display()
        ));
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|out| out.stdout.trim_ascii() == b"0")
}

/// Runs a shell command as `postgres` when root, else as this user.
fn as_postgres(command: &str) -> std::io::Result<std::process::ExitStatus> {
    if is_root() {
        Command::new("su")
            .args(["postgres", "-s", "/bin/sh", "-c", command])
            .status()
    } else {
        Command::new("sh").args(["-c", command]).status()
    }
}

/// The newest installed server's binaries.
fn server_binaries() -> Option<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|entry| Some(entry.ok()?.path().join("bin")))
        .filter(|bin| bin.join("initdb").is_file())
        .collect();
    found.sort();
    found.pop()
}

/// A port nothing listens on now (the kernel's pick, released at once).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .unwrap_or_else(|e| panic!("finding a free port: {e}"))
}
