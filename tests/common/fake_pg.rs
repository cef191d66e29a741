//! Two PostgreSQL servers that lie, each on a loopback port of its own, speaking just enough of
//! the wire protocol: one asks for a cleartext password and echoes it (and the user) back in
//! its error; one accepts TCP and never says a word (a stalled server, a full pgbouncer pool).

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

/// The SSLRequest code: answered 'N' (no TLS here), then the real startup follows.
const SSL_REQUEST: u32 = 80_877_103;

/// A server that answers the startup with AuthenticationCleartextPassword, reads the password
/// message and sends an ErrorResponse whose message quotes the password and the user.
pub fn echoing_password() -> u16 {
    echoing_password_as(str::to_owned)
}

/// The same, with the password changed by `shown` before it is echoed (upper-cased, spread
/// out with zero-width characters): a literal scrub does not find it.
pub fn echoing_password_as(shown: fn(&str) -> String) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || {
                let _ = echo_one(stream, shown);
            });
        }
    });
    port
}

fn echo_one(mut stream: TcpStream, shown: fn(&str) -> String) -> std::io::Result<()> {
    let user = loop {
        let body = read_untyped(&mut stream)?;
        if body.len() >= 4
            && u32::from_be_bytes([body[0], body[1], body[2], body[3]]) == SSL_REQUEST
        {
            stream.write_all(b"N")?;
            continue;
        }
        break startup_user(&body[4..]);
    };
    // AuthenticationCleartextPassword.
    stream.write_all(&[b'R', 0, 0, 0, 8, 0, 0, 0, 3])?;
    let mut kind = [0u8; 1];
    stream.read_exact(&mut kind)?;
    let body = read_untyped(&mut stream)?;
    let password = shown(&String::from_utf8_lossy(
        body.strip_suffix(&[0]).unwrap_or(&body),
    ));
    let message =
        format!("password \"{password}\" is not the password of user \"{user}\" (sent {password})");
    let mut fields = Vec::new();
    for (code, value) in [
        (b'S', "FATAL"),
        (b'V', "FATAL"),
        (b'C', "28P01"),
        (b'M', message.as_str()),
    ] {
        fields.push(code);
        fields.extend_from_slice(value.as_bytes());
        fields.push(0);
    }
    fields.push(0);
    let mut out = vec![b'E'];
    out.extend_from_slice(&((fields.len() + 4) as u32).to_be_bytes());
    out.extend_from_slice(&fields);
    stream.write_all(&out)?;
    stream.flush()
}

/// A message without a type byte (startup, SSL request) or the rest of a typed one: its
/// length (which counts itself) and body.
fn read_untyped(stream: &mut TcpStream) -> std::io::Result<Vec<u8>> {
    let mut len = [0u8; 4];
    stream.read_exact(&mut len)?;
    let len = u32::from_be_bytes(len) as usize;
    let mut body = vec![0u8; len.saturating_sub(4)];
    stream.read_exact(&mut body)?;
    Ok(body)
}

/// The `user` parameter of a startup message's body (after its protocol version).
fn startup_user(params: &[u8]) -> String {
    let parts: Vec<&[u8]> = params.split(|b| *b == 0).collect();
    parts
        .chunks(2)
        .find(|pair| pair[0] == b"user")
        .and_then(|pair| pair.get(1))
        .map(|u| String::from_utf8_lossy(u).into_owned())
        .unwrap_or_default()
}

/// A port that accepts every connection and never answers; how many it accepted.
pub struct Silent {
    pub port: u16,
    held: Arc<Mutex<Vec<TcpStream>>>,
}

impl Silent {
    pub fn start() -> Silent {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let held = Arc::new(Mutex::new(Vec::new()));
        let keep = held.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                // Kept open, never written to: the client hears nothing, not even a close.
                keep.lock().unwrap().push(stream);
            }
        });
        Silent { port, held }
    }

    pub fn accepted(&self) -> usize {
        self.held.lock().unwrap().len()
    }
}
