//! A real OGC API – Features server for the POI client's tests: pygeoapi (from PyPI) in a venv
//! under target/, serving the Ningbo spots from ../shared/corpus with paging and `bbox`.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::os::unix::process::CommandExt;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use crate::{Result, root, run};

const VERSION: &str = "0.21.0";

fn venv() -> std::path::PathBuf {
    root().join("target/tools/pygeoapi")
}

/// Installs pygeoapi into its venv unless it is there.
pub fn install() -> Result {
    let marker = venv().join(format!("installed-{VERSION}"));
    if marker.exists() {
        return Ok(());
    }
    run(Command::new("python3").args(["-m", "venv"]).arg(venv()))?;
    // flask-cors: without it pygeoapi's `cors: true` sends no CORS headers.
    run(Command::new(venv().join("bin/pip")).args(["install", "--quiet", &format!("pygeoapi=={VERSION}"), "flask-cors==6.0.5"]))?;
    std::fs::write(&marker, "").map_err(|e| e.to_string())
}

/// A running pygeoapi; stopped when dropped.
pub struct Server {
    child: Child,
    pub url: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        // pygeoapi's Flask server can leave a child behind: stop its whole process group.
        let _ = Command::new("kill").arg("--").arg(format!("-{}", self.child.id())).status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> Result<u16> {
    let l = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    Ok(l.local_addr().map_err(|e| e.to_string())?.port())
}

fn answers(port: u16) -> bool {
    let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) else { return false };
    let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
    let req = format!("GET /collections?f=json HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\n\r\n");
    let mut buf = [0u8; 12];
    s.write_all(req.as_bytes()).is_ok() && s.read_exact(&mut buf).is_ok() && (buf.starts_with(b"HTTP/1.0 200") || buf.starts_with(b"HTTP/1.1 200"))
}

/// Starts pygeoapi on a free port and waits until it answers.
pub fn start(corpus: &std::path::Path) -> Result<Server> {
    let dir = root().join("target/tools/pygeoapi-run");
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let port = free_port()?;
    let data = corpus.join("poi/ningbo/ningbo_scenic_spots.sourced.geojson");
    let data = data.canonicalize().map_err(|e| format!("{}: {e}", data.display()))?;
    let config = include_str!("pygeoapi.yml").replace("PORT", &port.to_string()).replace("DATA", &data.to_string_lossy());
    let (cfg, openapi) = (dir.join("config.yml"), dir.join("openapi.yml"));
    std::fs::write(&cfg, config).map_err(|e| e.to_string())?;
    let bin = venv().join("bin/pygeoapi");
    run(Command::new(&bin).args(["openapi", "generate"]).arg(&cfg).arg("--output-file").arg(&openapi))?;
    let child = Command::new(&bin)
        .args(["serve", "--flask"])
        .process_group(0)
        .env("PYGEOAPI_CONFIG", &cfg)
        .env("PYGEOAPI_OPENAPI", &openapi)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .map_err(|e| format!("pygeoapi serve: {e}"))?;
    let server = Server { child, url: format!("http://127.0.0.1:{port}") };
    let start = Instant::now();
    while !answers(port) {
        if start.elapsed() > Duration::from_secs(60) {
            return Err("pygeoapi did not answer within 60 s".into());
        }
        std::thread::sleep(Duration::from_millis(250));
    }
    Ok(server)
}
