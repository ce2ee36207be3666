//! A small disk of the test's own (a tmpfs mounted on a temporary directory), for tests
//! that fill it and free it again under a running server. Where mounting is not allowed
//! (not root, no tmpfs) the test skips loudly, and fails under `CI`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A mounted tmpfs of a fixed size, unmounted and removed when dropped.
pub struct SmallDisk {
    dir: PathBuf,
}

impl SmallDisk {
    /// Mounts a tmpfs of `megabytes`, or `None` (loudly) where this machine will not.
    pub fn mount(megabytes: u32) -> Option<Self> {
        let dir = std::env::temp_dir().join(format!("taavon-disk-{}", crate::unique_suffix()));
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        let mounted = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={megabytes}m"), "tmpfs"])
            .arg(&dir)
            .output();
        match mounted {
            Ok(out) if out.status.success() => Some(Self { dir }),
            other => {
                let _ = std::fs::remove_dir(&dir);
                let message = format!(
                    "could not mount a small tmpfs ({other:?}): this test, which fills a \
                     disk under the server, did NOT run"
                );
                if std::env::var_os("CI").is_some() {
                    panic!("{message} (CI is set, so this is a failure)");
                }
                eprintln!("SKIPPED: {message}");
                None
            }
        }
    }

    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// Fills what is left of the disk with one file, until the disk refuses more.
    pub fn fill(&self) {
        let mut filler = std::fs::File::create(self.filler())
            .unwrap_or_else(|e| panic!("creating the filler: {e}"));
        let block = vec![0u8; 64 * 1024];
        // Whole blocks first, then bytes, so not even a page is left.
        for size in [block.len(), 1] {
            while filler.write_all(&block[..size]).is_ok() {}
        }
    }

    /// Gives the space back.
    pub fn free(&self) {
        std::fs::remove_file(self.filler()).unwrap_or_else(|e| panic!("removing the filler: {e}"));
    }

    fn filler(&self) -> PathBuf {
        self.dir.join("filler")
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        // Best effort: a busy mount is lazily detached.
        let _ = Command::new("umount").arg("-l").arg(&self.dir).status();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
