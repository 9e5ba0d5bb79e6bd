//! [`RedisServer`]: a throwaway `redis-server` on a free 127.0.0.1 port for tests, benchmarks
//! and examples of replicas.
//!
//! The `redis-server` binary comes from the `PATH` ([`RedisServer::start`]) or from a path
//! given ([`RedisServer::start_binary`]); when it cannot be run, starting fails with an error
//! that names the binary and says how to install it (`apt-get install redis-server`), and
//! [`RedisServer::available`] lets a test skip instead.

use std::ffi::OsString;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How a failure to run the binary at all starts.
const CANNOT_RUN: &str = "cannot run the redis-server binary";

/// How long a started server may take to answer `PING`.
const READY_WITHIN: Duration = Duration::from_secs(10);

/// A running `redis-server` on 127.0.0.1: no persistence, killed (and reaped) when dropped.
///
/// The binary must be on the `PATH` (`apt-get install redis-server`); [`start`](Self::start)
/// says so when it is not. [`stop`](Self::stop) and [`restart`](Self::restart) (same port,
/// empty) simulate an outage.
///
/// ```no_run
/// use lark_runtime::testing::RedisServer;
///
/// let server = RedisServer::start()?;
/// let url = server.url(); // redis://127.0.0.1:<port>/
/// # let _ = url;
/// # Ok::<(), String>(())
/// ```
pub struct RedisServer {
    binary: OsString,
    port: u16,
    child: Option<Child>,
    /// `requirepass`, when the server was started with one.
    password: Option<String>,
}

impl RedisServer {
    /// Whether a `redis-server` binary is on the `PATH`.
    pub fn available() -> bool {
        Command::new("redis-server")
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    }

    /// Starts a server on a free port; a few ports are tried in case another process takes the
    /// chosen one first.
    pub fn start() -> Result<Self, String> {
        Self::start_inner("redis-server".into(), None)
    }

    /// Starts the server binary at `binary` (e.g. a build of another version) on a free port.
    pub fn start_binary(binary: impl Into<OsString>) -> Result<Self, String> {
        Self::start_inner(binary.into(), None)
    }

    /// Starts a server that requires `password` (`requirepass`); [`url`](Self::url) carries
    /// it and [`command`](Self::command) authenticates first.
    pub fn start_with_password(password: &str) -> Result<Self, String> {
        Self::start_inner("redis-server".into(), Some(password.to_owned()))
    }

    fn start_inner(binary: OsString, password: Option<String>) -> Result<Self, String> {
        let mut last = String::new();
        for _ in 0..5 {
            let port = free_port()?;
            let mut server = Self {
                binary: binary.clone(),
                port,
                child: None,
                password: password.clone(),
            };
            match server.spawn() {
                Ok(()) => return Ok(server),
                // A binary that cannot run will not run on another port either.
                Err(e) if e.starts_with(CANNOT_RUN) => return Err(e),
                Err(e) => last = e,
            }
        }
        Err(last)
    }

    /// The `redis://[:<password>@]127.0.0.1:<port>/` URL.
    pub fn url(&self) -> String {
        match &self.password {
            Some(password) => format!("redis://:{password}@127.0.0.1:{}/", self.port),
            None => format!("redis://127.0.0.1:{}/", self.port),
        }
    }

    /// The port it listens on (kept across [`restart`](Self::restart)).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Kills the server (data is lost: nothing is persisted).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the server again on the same port, empty.
    pub fn restart(&mut self) -> Result<(), String> {
        self.stop();
        let deadline = Instant::now() + READY_WITHIN;
        loop {
            match self.spawn() {
                Ok(()) => return Ok(()),
                // The old socket may linger a moment.
                Err(e) if Instant::now() >= deadline => return Err(e),
                Err(_) => std::thread::sleep(Duration::from_millis(50)),
            }
        }
    }

    /// Sends one inline command and returns the raw reply (e.g. `DBSIZE` → `:3\r\n`).
    pub fn command(&self, line: &str) -> Result<String, String> {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).map_err(|e| e.to_string())?;
        stream
            .set_read_timeout(Some(Duration::from_secs(2)))
            .map_err(|e| e.to_string())?;
        let mut buf = [0u8; 512];
        if let Some(password) = &self.password {
            stream
                .write_all(format!("AUTH {password}\r\n").as_bytes())
                .map_err(|e| e.to_string())?;
            let n = stream.read(&mut buf).map_err(|e| e.to_string())?;
            if !buf[..n].starts_with(b"+OK") {
                return Err(String::from_utf8_lossy(&buf[..n]).into_owned());
            }
        }
        stream
            .write_all(format!("{line}\r\n").as_bytes())
            .map_err(|e| e.to_string())?;
        let n = stream.read(&mut buf).map_err(|e| e.to_string())?;
        Ok(String::from_utf8_lossy(&buf[..n]).into_owned())
    }

    fn spawn(&mut self) -> Result<(), String> {
        let mut child = Command::new(&self.binary)
            .args(["--port", &self.port.to_string()])
            .args(["--bind", "127.0.0.1"])
            .args(["--save", ""])
            .args(["--appendonly", "no"])
            .args(
                self.password
                    .iter()
                    .flat_map(|p| ["--requirepass", p.as_str()]),
            )
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| {
                format!(
                    "{CANNOT_RUN} {:?} ({e}): install it (`apt-get install redis-server`) or put it on the PATH",
                    self.binary
                )
            })?;
        let deadline = Instant::now() + READY_WITHIN;
        loop {
            if let Ok(Some(status)) = child.try_wait() {
                return Err(format!(
                    "redis-server on port {} exited: {status}",
                    self.port
                ));
            }
            self.child = Some(child);
            if self.command("PING").is_ok_and(|r| r.starts_with("+PONG")) {
                return Ok(());
            }
            child = self.child.take().ok_or("child vanished")?;
            if Instant::now() >= deadline {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "redis-server on port {} did not answer within {READY_WITHIN:?}",
                    self.port
                ));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl std::fmt::Debug for RedisServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The password stays out of Debug output.
        f.debug_struct("RedisServer")
            .field("binary", &self.binary)
            .field("port", &self.port)
            .field("running", &self.child.is_some())
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A port that was free a moment ago on 127.0.0.1.
fn free_port() -> Result<u16, String> {
    let listener = TcpListener::bind(("127.0.0.1", 0)).map_err(|e| e.to_string())?;
    listener
        .local_addr()
        .map(|a| a.port())
        .map_err(|e| e.to_string())
}
