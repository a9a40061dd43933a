//! The decoder runs as a child process under limits, so that a hostile
//! file that crashes, hangs or floods it ends only its own hashing.
//!
//! A child is forked by a spawner (`spawner.rs`) and sets the limits on
//! itself, or is started through util-linux's `prlimit`, which sets them
//! and then runs the decoder: address space (memory), CPU seconds, no
//! files written, few files open, no core dumps. The parent also keeps a
//! wall-clock deadline and kills the child when it passes; what the child
//! writes to stderr is kept (its last few kilobytes) for the error message.

use std::fs::File;
use std::io::{self, Read};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use crate::error::VideoError;
use crate::spawner::Spawner;

/// The limits a child runs under.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ChildLimits {
    /// Address space, bytes.
    pub memory: u64,
    /// CPU time, seconds.
    pub cpu_seconds: u64,
    /// Wall-clock time, from start to end.
    pub wall: Duration,
}

/// The demuxers FFmpeg may use: the containers of [`crate::Container`]
/// and GIF. Playlists (HLS), `concat` lists and the other formats that
/// name further files or URLs are refused.
pub(crate) const DEMUXERS: &str =
    "mov,mp4,m4a,3gp,3g2,mj2,matroska,webm,avi,mpegts,mpeg,flv,asf,ogg,gif";

/// stderr kept for messages.
const STDERR_KEPT: usize = 4096;

/// A running child, its stdout taken for reading and its stderr drained.
pub(crate) struct Contained {
    process: Process,
    tool: PathBuf,
    started: Instant,
    limits: ChildLimits,
    stderr: Option<JoinHandle<Vec<u8>>>,
}

/// How the child came to be.
enum Process {
    /// Started for this file.
    Started(Child),
    /// Forked by a spawner (`None` once it is released or killed).
    Forked(Option<Spawner>),
}

impl Contained {
    /// Runs `tool` with `args` (the first being [`crate::DECODER_COMMAND`])
    /// under `limits`, reading `stdin`: forked by a spawner when `spawn`
    /// and the tool can be one, else started.
    pub fn start(
        tool: &Path,
        args: &[std::ffi::OsString],
        stdin: File,
        limits: ChildLimits,
        spawn: bool,
    ) -> Result<(Contained, Box<dyn Read + Send>), VideoError> {
        let contained = |process, stderr: Box<dyn Read + Send>| Contained {
            process,
            tool: tool.to_path_buf(),
            started: Instant::now(),
            limits,
            stderr: Some(thread::spawn(move || drain_tail(stderr, STDERR_KEPT))),
        };
        if spawn {
            if let Some(forked) = Spawner::fork(tool, &args[1..], &stdin, limits)? {
                let process = Process::Forked(Some(forked.spawner));
                return Ok((
                    contained(process, Box::new(forked.stderr)),
                    Box::new(forked.stdout),
                ));
            }
        }
        let mut command = Command::new("prlimit");
        command
            .arg(format!("--as={}", limits.memory))
            .arg(format!("--cpu={}", limits.cpu_seconds))
            .arg("--fsize=0")
            .arg("--nofile=64")
            .arg("--core=0")
            .arg("--")
            .arg(tool)
            .args(args)
            .stdin(stdin)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = command.spawn().map_err(|e| VideoError::Tool {
            tool: PathBuf::from("prlimit"),
            detail: e.to_string(),
        })?;
        let stdout = child.stdout.take().expect("stdout is piped");
        let stderr = child.stderr.take().expect("stderr is piped");
        Ok((
            contained(Process::Started(child), Box::new(stderr)),
            Box::new(stdout),
        ))
    }

    /// Time left before the wall-clock deadline.
    pub fn time_left(&self) -> Duration {
        self.limits.wall.saturating_sub(self.started.elapsed())
    }

    /// The wall-clock limit, in whole seconds.
    pub fn wall_seconds(&self) -> u64 {
        self.limits.wall.as_secs()
    }

    /// Stops the child (if it still runs) and waits for it.
    pub fn kill(&mut self) {
        match &mut self.process {
            Process::Started(child) => {
                let _ = child.kill();
                let _ = child.wait();
            }
            Process::Forked(spawner) => {
                if let Some(spawner) = spawner.take() {
                    spawner.kill();
                }
            }
        }
    }

    /// Waits for the child to end, killing it at the deadline.
    pub fn finish(mut self) -> Result<Ended, VideoError> {
        let deadline = self.started + self.limits.wall;
        let timeout = VideoError::Timeout {
            limit: self.wall_seconds(),
        };
        let status = match &mut self.process {
            Process::Started(child) => loop {
                match child.try_wait()? {
                    Some(status) => break status,
                    None if Instant::now() >= deadline => {
                        self.kill();
                        return Err(timeout);
                    }
                    None => thread::sleep(Duration::from_millis(5)),
                }
            },
            Process::Forked(spawner) => {
                let waited = match spawner.as_ref() {
                    Some(s) => s.status(deadline),
                    None => Err(io::Error::other("the decoder was stopped")),
                };
                match waited {
                    Ok(Some(raw)) => {
                        if let Some(spawner) = spawner.take() {
                            spawner.release();
                        }
                        ExitStatus::from_raw(raw)
                    }
                    Ok(None) => {
                        self.kill();
                        return Err(timeout);
                    }
                    Err(e) => {
                        self.kill();
                        return Err(e.into());
                    }
                }
            }
        };
        let kept = self
            .stderr
            .take()
            .and_then(|h| h.join().ok())
            .unwrap_or_default();
        Ok(Ended {
            status,
            stderr: String::from_utf8_lossy(&kept).trim().to_owned(),
            tool: self.tool.clone(),
            cpu_seconds: self.limits.cpu_seconds,
        })
    }
}

/// How a child ended.
pub(crate) struct Ended {
    /// Its exit status.
    pub status: ExitStatus,
    /// The end of what it wrote to stderr.
    pub stderr: String,
    tool: PathBuf,
    cpu_seconds: u64,
}

impl Ended {
    /// What went wrong, for a child that did not succeed: a crash or a
    /// limit by signal, or the tool's own last words.
    pub fn failure(&self) -> String {
        let tool = self.tool.display();
        let said = match self.stderr.lines().rev().find(|l| !l.trim().is_empty()) {
            Some(line) => format!(": {}", line.trim()),
            None => String::new(),
        };
        match self.status.signal() {
            // SIGXCPU: the CPU limit.
            Some(24) => format!("{tool} used more than {} s of CPU", self.cpu_seconds),
            Some(9) => format!("{tool} was killed{said}"),
            Some(signal) => format!("{tool} crashed (signal {signal}){said}"),
            // A clean exit with a message: the message says it all.
            None if !said.is_empty() => said[2..].to_string(),
            None => format!(
                "{tool} exited with status {}",
                self.status.code().unwrap_or(-1)
            ),
        }
    }
}

impl Drop for Contained {
    fn drop(&mut self) {
        let running = match &mut self.process {
            Process::Started(child) => matches!(child.try_wait(), Ok(None)),
            Process::Forked(spawner) => spawner.is_some(),
        };
        if running {
            self.kill();
        }
    }
}

/// Reads from a child's stdout on a thread of its own, so the reader can
/// give up at a deadline: the chunks arrive through a channel of `depth`.
pub(crate) struct Chunks {
    receiver: mpsc::Receiver<io::Result<Vec<u8>>>,
    reader: Option<JoinHandle<()>>,
}

/// What waiting for the next chunk gave.
pub(crate) enum Next {
    /// A chunk of exactly the asked size.
    Chunk(Vec<u8>),
    /// The stream ended (a last partial chunk is dropped, and counted).
    End {
        /// Bytes of a partial last chunk.
        partial: usize,
    },
    /// The deadline passed.
    Timeout,
}

impl Chunks {
    /// Reads `stdout`: first a header of `header` bytes, whose first 8
    /// (little-endian) give the size of every chunk after it (0: none
    /// follow; more than `largest` is an error), at most `limit` bytes in
    /// all (more is an error).
    pub fn new(
        mut stdout: Box<dyn Read + Send>,
        header: usize,
        largest: usize,
        depth: usize,
        limit: u64,
    ) -> Chunks {
        let (sender, receiver) = mpsc::sync_channel(depth);
        let reader = thread::spawn(move || {
            let mut total = 0u64;
            let mut size = header;
            let mut first = true;
            loop {
                let mut chunk = vec![0u8; size];
                let mut filled = 0;
                while filled < size {
                    match stdout.read(&mut chunk[filled..]) {
                        Ok(0) => break,
                        Ok(n) => filled += n,
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                        Err(e) => {
                            let _ = sender.send(Err(e));
                            return;
                        }
                    }
                }
                total += filled as u64;
                if total > limit {
                    let _ = sender.send(Err(io::Error::other("the decoder wrote more than asked")));
                    return;
                }
                if filled < size {
                    chunk.truncate(filled);
                    let _ = sender.send(Ok(chunk));
                    return;
                }
                if first {
                    first = false;
                    let mut stated = [0u8; 8];
                    stated.copy_from_slice(&chunk[..8]);
                    let stated = u64::from_le_bytes(stated);
                    if stated > largest as u64 {
                        let _ = sender.send(Err(io::Error::other(format!(
                            "the decoder states frames of {stated} bytes"
                        ))));
                        return;
                    }
                    size = stated as usize;
                }
                if sender.send(Ok(chunk)).is_err() || size == 0 {
                    return;
                }
            }
        });
        Chunks {
            receiver,
            reader: Some(reader),
        }
    }

    /// The next full chunk, waiting at most `wait`.
    pub fn next(&mut self, size: usize, wait: Duration) -> io::Result<Next> {
        match self.receiver.recv_timeout(wait) {
            Ok(Ok(chunk)) if chunk.len() == size => Ok(Next::Chunk(chunk)),
            Ok(Ok(chunk)) => Ok(Next::End {
                partial: chunk.len(),
            }),
            Ok(Err(e)) => Err(e),
            Err(mpsc::RecvTimeoutError::Timeout) => Ok(Next::Timeout),
            Err(mpsc::RecvTimeoutError::Disconnected) => Ok(Next::End { partial: 0 }),
        }
    }
}

impl Drop for Chunks {
    fn drop(&mut self) {
        // The reader ends when the child's stdout closes (the child ended
        // or was killed); the owner kills the child before dropping this.
        if let Some(reader) = self.reader.take() {
            drop(std::mem::replace(
                &mut self.receiver,
                mpsc::sync_channel(0).1,
            ));
            let _ = reader.join();
        }
    }
}

/// Reads all of `reader`, keeping its last `kept` bytes.
fn drain_tail(mut reader: impl Read, kept: usize) -> Vec<u8> {
    let mut tail = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match reader.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                tail.extend_from_slice(&buf[..n]);
                if tail.len() > 2 * kept {
                    tail.drain(..tail.len() - kept);
                }
            }
        }
    }
    if tail.len() > kept {
        tail.drain(..tail.len() - kept);
    }
    tail
}
