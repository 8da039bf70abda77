//! A loopback HTTP/1.1 server that answers every request with one scripted fault, down to the
//! bytes on the wire: the faults a well-behaved framework cannot produce (a body that stalls,
//! a connection reset halfway through, a body longer than its client will read).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// How the server answers.
#[derive(Clone, Debug)]
pub enum Reply {
    /// A complete response with a `Content-Length`.
    Full {
        /// Status code.
        status: u16,
        /// Extra headers (`Content-Type` included when wanted).
        headers: Vec<(&'static str, String)>,
        /// The body.
        body: Vec<u8>,
    },
    /// A complete response without `Content-Length`, its body sent in 1 KiB chunks.
    Chunked {
        /// Status code.
        status: u16,
        /// The body.
        body: Vec<u8>,
    },
    /// Headers and the first half of the body at once, the rest after `delay`.
    SlowBody {
        /// The body.
        body: Vec<u8>,
        /// The stall in the middle of it.
        delay: Duration,
    },
    /// Headers and part of the body, then a TCP reset.
    ResetMidBody,
}

impl Reply {
    /// A JSON body with a status.
    pub fn json(status: u16, body: &str) -> Self {
        Self::Full {
            status,
            headers: vec![("content-type", "application/json".to_owned())],
            body: body.as_bytes().to_vec(),
        }
    }

    /// A body of any content type.
    pub fn typed(status: u16, content_type: &str, body: &str) -> Self {
        Self::Full {
            status,
            headers: vec![("content-type", content_type.to_owned())],
            body: body.as_bytes().to_vec(),
        }
    }

    /// One extra header.
    pub fn with_header(mut self, name: &'static str, value: &str) -> Self {
        if let Self::Full { headers, .. } = &mut self {
            headers.push((name, value.to_owned()));
        }
        self
    }
}

/// A running fault server; stops when dropped.
pub struct FaultServer {
    /// `http://127.0.0.1:<port>`.
    pub base_url: String,
    requests: Arc<AtomicUsize>,
    reply: Arc<Mutex<Reply>>,
    task: JoinHandle<()>,
}

impl Drop for FaultServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl FaultServer {
    /// Listen on an OS-assigned loopback port and answer every request with `reply`.
    pub async fn start(reply: Reply) -> std::io::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let base_url = format!("http://{}", listener.local_addr()?);
        let requests = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&requests);
        let reply = Arc::new(Mutex::new(reply));
        let current = Arc::clone(&reply);
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let reply = current
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .clone();
                let counter = Arc::clone(&counter);
                tokio::spawn(async move {
                    let _ = serve(stream, &reply, &counter).await;
                });
            }
        });
        Ok(Self {
            base_url,
            requests,
            reply,
            task,
        })
    }

    /// Answer the next requests with `reply` instead.
    pub fn set_reply(&self, reply: Reply) {
        *self.reply.lock().unwrap_or_else(PoisonError::into_inner) = reply;
    }

    /// Complete requests received so far.
    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }
}

/// Read one request (head and `Content-Length` body), count it, answer, close.
async fn serve(mut stream: TcpStream, reply: &Reply, counter: &AtomicUsize) -> std::io::Result<()> {
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    let head_end = loop {
        let n = stream.read(&mut buf).await?;
        if n == 0 {
            return Ok(());
        }
        seen.extend_from_slice(&buf[..n]);
        if let Some(i) = seen.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
    };
    let head = String::from_utf8_lossy(&seen[..head_end]).to_ascii_lowercase();
    let length = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse::<usize>().ok())
        .unwrap_or(0);
    while seen.len() < head_end + length {
        let n = stream.read(&mut buf).await?;
        if n == 0 {
            return Ok(());
        }
        seen.extend_from_slice(&buf[..n]);
    }
    counter.fetch_add(1, Ordering::SeqCst);
    answer(stream, reply).await
}

fn head(status: u16, headers: &[(&str, String)], length: Option<usize>) -> Vec<u8> {
    let mut text = format!("HTTP/1.1 {status} Scripted\r\nconnection: close\r\n");
    for (name, value) in headers {
        text.push_str(&format!("{name}: {value}\r\n"));
    }
    match length {
        Some(n) => text.push_str(&format!("content-length: {n}\r\n")),
        None => text.push_str("transfer-encoding: chunked\r\n"),
    }
    text.push_str("\r\n");
    text.into_bytes()
}

async fn answer(mut stream: TcpStream, reply: &Reply) -> std::io::Result<()> {
    let json = vec![("content-type", "application/json".to_owned())];
    match reply {
        Reply::Full {
            status,
            headers,
            body,
        } => {
            stream
                .write_all(&head(*status, headers, Some(body.len())))
                .await?;
            stream.write_all(body).await?;
        }
        Reply::Chunked { status, body } => {
            stream.write_all(&head(*status, &json, None)).await?;
            for chunk in body.chunks(1024) {
                stream
                    .write_all(format!("{:x}\r\n", chunk.len()).as_bytes())
                    .await?;
                stream.write_all(chunk).await?;
                stream.write_all(b"\r\n").await?;
            }
            stream.write_all(b"0\r\n\r\n").await?;
        }
        Reply::SlowBody { body, delay } => {
            let (first, rest) = body.split_at(body.len() / 2);
            stream
                .write_all(&head(200, &json, Some(body.len())))
                .await?;
            stream.write_all(first).await?;
            stream.flush().await?;
            tokio::time::sleep(*delay).await;
            stream.write_all(rest).await?;
        }
        Reply::ResetMidBody => {
            stream.write_all(&head(200, &json, Some(200))).await?;
            stream.write_all(b"{\"chat_id\": \"chat_").await?;
            stream.flush().await?;
            // A zero linger turns the close into a TCP reset.
            stream.set_zero_linger()?;
            drop(stream);
            return Ok(());
        }
    }
    stream.shutdown().await
}
