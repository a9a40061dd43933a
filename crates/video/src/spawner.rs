//! A decoder started once and forked for each file.
//!
//! Starting the decoder program costs about 30 ms a file: the dynamic
//! linker loads and binds FFmpeg's libraries and everything they link
//! (over a hundred libraries on Debian). On short videos that is as much as
//! the decoding. A spawner is the decoder program started once with
//! [`SPAWNER_ARG`], its libraries loaded and bound (`LD_BIND_NOW`); for each
//! file it forks a child, which sets its own limits, takes the file as its
//! stdin and two fresh pipes as its stdout and stderr, and decodes as a
//! started decoder would. The spawner itself never reads a file: every
//! child starts from the same untouched process, so one hostile file
//! reaches nothing of the next, as with a started child. (Children share
//! the spawner's address layout; a started child gets a fresh one.)
//!
//! The parent talks to a spawner over a Unix socket pair (its stdin):
//! a request (the limits and the decoder's arguments) with the three file
//! descriptors, then the child's wait status back. A spawner serves one
//! file at a time; the parent keeps one per file it decodes at once. To
//! stop a child at its deadline the parent kills the spawner, whose
//! children die with it (`PR_SET_PDEATHSIG`).

use std::ffi::OsString;
use std::io::{self, IoSlice, IoSliceMut};
use std::mem::MaybeUninit;
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use rustix::net::{
    recv, recvmsg, send, sendmsg, AddressFamily, RecvAncillaryBuffer, RecvAncillaryMessage,
    RecvFlags, SendAncillaryBuffer, SendAncillaryMessage, SendFlags, SocketFlags, SocketType,
};
use rustix::process::{Resource, Rlimit, Signal, WaitOptions};

use crate::child::ChildLimits;

/// The argument after [`crate::DECODER_COMMAND`] that makes the decoder
/// program a spawner.
pub const SPAWNER_ARG: &str = "spawner";

/// What a spawner says once it is ready.
const READY: &[u8] = b"ready";
/// Longest request: the limits and the decoder's arguments.
const MAX_REQUEST: usize = 4096;
/// How long a new spawner may take to say it is ready.
const READY_WITHIN: Duration = Duration::from_secs(10);

/// A waiting spawner, owned by the parent.
pub(crate) struct Spawner {
    process: Child,
    socket: OwnedFd,
    tool: PathBuf,
}

/// Spawners not in use, for the next file.
static IDLE: Mutex<Vec<Spawner>> = Mutex::new(Vec::new());
/// Programs that could not be started as spawners (they are started per
/// file instead).
static REFUSED: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// A child forked for one file: its stdout and stderr, read by the parent.
pub(crate) struct Forked {
    pub spawner: Spawner,
    pub stdout: io::PipeReader,
    pub stderr: io::PipeReader,
}

impl Spawner {
    /// Forks a child of a spawner of `tool` (an idle one, or one started
    /// now) that decodes `stdin` with `args` under `limits`. `None` when
    /// `tool` cannot be a spawner: the caller starts it per file instead.
    pub fn fork(
        tool: &Path,
        args: &[OsString],
        stdin: &std::fs::File,
        limits: ChildLimits,
    ) -> io::Result<Option<Forked>> {
        let mut request = format!("{}\n{}", limits.memory, limits.cpu_seconds).into_bytes();
        for arg in args {
            if arg.as_bytes().contains(&b'\n') {
                return Err(io::Error::other("a decoder argument holds a line break"));
            }
            request.push(b'\n');
            request.extend_from_slice(arg.as_bytes());
        }
        if request.len() > MAX_REQUEST {
            return Err(io::Error::other("the decoder's arguments are too long"));
        }
        let (stdout, stdout_end) = io::pipe()?;
        let (stderr, stderr_end) = io::pipe()?;
        let Some(spawner) = Spawner::take(tool) else {
            return Ok(None);
        };
        let fds = [stdin.as_fd(), stdout_end.as_fd(), stderr_end.as_fd()];
        let mut space = [MaybeUninit::uninit(); rustix::cmsg_space!(ScmRights(3))];
        let mut control = SendAncillaryBuffer::new(&mut space);
        control.push(SendAncillaryMessage::ScmRights(&fds));
        if let Err(e) = sendmsg(
            &spawner.socket,
            &[IoSlice::new(&request)],
            &mut control,
            SendFlags::NOSIGNAL,
        ) {
            spawner.kill();
            return Err(e.into());
        }
        // The child has its own copies now: without dropping these, its
        // stdout would never end.
        drop((stdout_end, stderr_end));
        Ok(Some(Forked {
            spawner,
            stdout,
            stderr,
        }))
    }

    /// The raw wait status of the child forked last, waiting until
    /// `deadline`; `None` when the deadline passed.
    pub fn status(&self, deadline: Instant) -> io::Result<Option<i32>> {
        let mut reply = [0u8; 4];
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Ok(None);
            }
            rustix::net::sockopt::set_socket_timeout(
                &self.socket,
                rustix::net::sockopt::Timeout::Recv,
                Some(left.max(Duration::from_millis(1))),
            )?;
            match recv(&self.socket, &mut reply, RecvFlags::empty()) {
                Ok((4, _)) => return Ok(Some(i32::from_le_bytes(reply))),
                Ok(_) => return Err(io::Error::other("the decoder's spawner ended")),
                Err(rustix::io::Errno::AGAIN | rustix::io::Errno::INTR) => continue,
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// Back to the idle ones, for the next file.
    pub fn release(self) {
        if let Ok(mut idle) = IDLE.lock() {
            idle.push(self);
        }
    }

    /// Ends the spawner, and with it a child still running.
    pub fn kill(mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }

    /// An idle spawner of `tool`, or a new one.
    fn take(tool: &Path) -> Option<Spawner> {
        if let Ok(mut idle) = IDLE.lock() {
            if let Some(at) = idle.iter().position(|s| s.tool == tool) {
                let mut spawner = idle.swap_remove(at);
                if let Ok(None) = spawner.process.try_wait() {
                    return Some(spawner);
                }
                spawner.kill();
            }
        }
        if REFUSED.lock().is_ok_and(|r| r.iter().any(|t| t == tool)) {
            return None;
        }
        let started = Spawner::start(tool);
        if started.is_none() {
            if let Ok(mut refused) = REFUSED.lock() {
                refused.push(tool.to_path_buf());
            }
        }
        started
    }

    fn start(tool: &Path) -> Option<Spawner> {
        let (ours, theirs) = rustix::net::socketpair(
            AddressFamily::UNIX,
            SocketType::SEQPACKET,
            SocketFlags::CLOEXEC,
            None,
        )
        .ok()?;
        let process = Command::new(tool)
            .arg(crate::DECODER_COMMAND)
            .arg(SPAWNER_ARG)
            // Bind every symbol now, once, rather than in each child.
            .env("LD_BIND_NOW", "1")
            .stdin(Stdio::from(theirs))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .ok()?;
        let spawner = Spawner {
            process,
            socket: ours,
            tool: tool.to_path_buf(),
        };
        let mut said = [0u8; 16];
        let ready = rustix::net::sockopt::set_socket_timeout(
            &spawner.socket,
            rustix::net::sockopt::Timeout::Recv,
            Some(READY_WITHIN),
        )
        .is_ok()
            && matches!(recv(&spawner.socket, &mut said, RecvFlags::empty()),
                        Ok((n, _)) if said[..n] == *READY);
        if ready {
            Some(spawner)
        } else {
            spawner.kill();
            None
        }
    }
}

/// The spawner's side: runs until the parent closes the socket on stdin.
/// Returns the exit code.
pub(crate) fn serve() -> i32 {
    let socket = io::stdin();
    let socket = socket.as_fd();
    crate::libav::warm_up();
    // A fork copies only the thread that calls it: the spawner must have
    // no other (FFmpeg's libraries start none while nothing is decoded).
    if std::fs::read_dir("/proc/self/task").map_or(true, |tasks| tasks.count() != 1) {
        return 2;
    }
    if send(socket, READY, SendFlags::NOSIGNAL).is_err() {
        return 1;
    }
    let me = rustix::process::getpid();
    loop {
        let mut request = vec![0u8; MAX_REQUEST];
        let mut space = [MaybeUninit::uninit(); rustix::cmsg_space!(ScmRights(3))];
        let mut control = RecvAncillaryBuffer::new(&mut space);
        let got = match recvmsg(
            socket,
            &mut [IoSliceMut::new(&mut request)],
            &mut control,
            RecvFlags::CMSG_CLOEXEC,
        ) {
            Ok(got) => got,
            Err(rustix::io::Errno::INTR) => continue,
            Err(_) => return 1,
        };
        let mut fds: Vec<OwnedFd> = Vec::new();
        for message in control.drain() {
            if let RecvAncillaryMessage::ScmRights(received) = message {
                fds.extend(received);
            }
        }
        if got.bytes == 0 && fds.is_empty() {
            return 0; // the parent is done
        }
        request.truncate(got.bytes);
        let status = match (Request::parse(&request), <[OwnedFd; 3]>::try_from(fds)) {
            (Some(request), Ok(fds)) => run(me, request, fds),
            _ => 2 << 8, // as a child exiting with status 2
        };
        if send(socket, &status.to_le_bytes(), SendFlags::NOSIGNAL).is_err() {
            return 1;
        }
    }
}

/// A request as the spawner reads it.
struct Request {
    limits: (u64, u64),
    args: Vec<OsString>,
}

impl Request {
    fn parse(bytes: &[u8]) -> Option<Request> {
        let mut lines = bytes.split(|&b| b == b'\n');
        let memory = std::str::from_utf8(lines.next()?).ok()?.parse().ok()?;
        let cpu = std::str::from_utf8(lines.next()?).ok()?.parse().ok()?;
        let args = lines.map(|l| OsString::from_vec(l.to_vec())).collect();
        Some(Request {
            limits: (memory, cpu),
            args,
        })
    }
}

/// Forks a child for one request and waits for it: its raw wait status.
fn run(spawner: rustix::process::Pid, request: Request, fds: [OwnedFd; 3]) -> i32 {
    // SAFETY: the spawner is single-threaded (checked in `serve`), so the
    // child is a whole copy of it and may do anything the spawner could;
    // the spawner itself only waits for the child. Measured: a fork of the
    // loaded decoder takes under a millisecond where starting the program
    // takes about 30 ms; `crates/video/tests/spawner.rs` checks the hashes
    // against the started decoder's.
    #[allow(unsafe_code)]
    let pid = unsafe { libc::fork() };
    match pid {
        -1 => 1 << 8,
        0 => std::process::exit(child(spawner, request, fds)),
        pid => {
            drop(fds);
            let Some(pid) = rustix::process::Pid::from_raw(pid) else {
                return 1 << 8;
            };
            loop {
                match rustix::process::waitpid(Some(pid), WaitOptions::empty()) {
                    Ok(Some((_, status))) => return status.as_raw(),
                    Err(rustix::io::Errno::INTR) => continue,
                    _ => return 1 << 8,
                }
            }
        }
    }
}

/// In the forked child: limits, stdio, then the decoder.
fn child(spawner: rustix::process::Pid, request: Request, fds: [OwnedFd; 3]) -> i32 {
    // Dies with the spawner: the parent stops a child by killing it.
    if rustix::process::set_parent_process_death_signal(Some(Signal::KILL)).is_err()
        || rustix::process::getppid() != Some(spawner)
    {
        return 1;
    }
    let [stdin, stdout, stderr] = fds;
    if rustix::stdio::dup2_stdin(&stdin).is_err()
        || rustix::stdio::dup2_stdout(&stdout).is_err()
        || rustix::stdio::dup2_stderr(&stderr).is_err()
    {
        return 1;
    }
    drop((stdin, stdout, stderr));
    let (memory, cpu) = request.limits;
    let limits = [
        (Resource::As, memory),
        (Resource::Cpu, cpu),
        (Resource::Fsize, 0),
        (Resource::Nofile, 64),
        (Resource::Core, 0),
    ];
    for (resource, value) in limits {
        let limit = Rlimit {
            current: Some(value),
            maximum: Some(value),
        };
        if rustix::process::setrlimit(resource, limit).is_err() {
            eprintln!("cannot limit the decoder");
            return 1;
        }
    }
    crate::decoder_main(&request.args)
}
