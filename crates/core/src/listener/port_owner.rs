//! Which process holds a port, where the OS tells (Linux: `/proc`).

use std::fmt;
use std::net::SocketAddr;

/// A process listening on a port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortOwner {
    /// Process ID.
    pub pid: u32,
    /// Its command name.
    pub name: String,
}

impl fmt::Display for PortOwner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (pid {})", self.name, self.pid)
    }
}

impl PortOwner {
    /// The process listening on `addr`'s port, if it can be found.
    pub fn find(addr: SocketAddr) -> Option<Self> {
        #[cfg(target_os = "linux")]
        {
            linux::find(addr.port())
        }
        #[cfg(not(target_os = "linux"))]
        {
            let _ = addr;
            None
        }
    }
}

#[cfg(target_os = "linux")]
mod linux {
    use super::PortOwner;
    use std::fs;

    /// TCP state code for LISTEN in `/proc/net/tcp`.
    const LISTEN: &str = "0A";

    pub(super) fn find(port: u16) -> Option<PortOwner> {
        let inodes = listening_inodes(port);
        if inodes.is_empty() {
            return None;
        }
        for proc_entry in fs::read_dir("/proc").ok()?.flatten() {
            let Some(pid) = proc_entry
                .file_name()
                .to_str()
                .and_then(|n| n.parse::<u32>().ok())
            else {
                continue;
            };
            let Ok(fds) = fs::read_dir(proc_entry.path().join("fd")) else {
                continue;
            };
            for fd in fds.flatten() {
                let Ok(target) = fs::read_link(fd.path()) else {
                    continue;
                };
                let target = target.to_string_lossy();
                let holds = target
                    .strip_prefix("socket:[")
                    .and_then(|t| t.strip_suffix(']'))
                    .is_some_and(|inode| inodes.iter().any(|i| i == inode));
                if holds {
                    let name = fs::read_to_string(proc_entry.path().join("comm")).unwrap_or_default();
                    return Some(PortOwner {
                        pid,
                        name: name.trim().to_owned(),
                    });
                }
            }
        }
        None
    }

    /// Socket inodes listening on `port`, from `/proc/net/tcp` and `/proc/net/tcp6`.
    fn listening_inodes(port: u16) -> Vec<String> {
        let port_hex = format!("{port:04X}");
        ["/proc/net/tcp", "/proc/net/tcp6"]
            .iter()
            .filter_map(|path| fs::read_to_string(path).ok())
            .flat_map(|table| {
                table
                    .lines()
                    .skip(1)
                    .filter_map(|line| {
                        let cols: Vec<&str> = line.split_whitespace().collect();
                        let local_port = cols.get(1)?.rsplit(':').next()?;
                        (local_port == port_hex && *cols.get(3)? == LISTEN)
                            .then(|| cols.get(9).map(|s| (*s).to_owned()))?
                    })
                    .collect::<Vec<_>>()
            })
            .collect()
    }
}
