//! Reading an HTTP answer's body with a bound, so a server that sends without end (or a
//! mistaken multi-gigabyte answer) cannot grow the process.

use thiserror::Error;

/// Why a body could not be read whole.
#[derive(Debug, Error)]
pub enum BodyError {
    /// More than the limit arrived (or was announced).
    #[error("the answer was larger than {limit} bytes, more than scim-token reads")]
    TooLarge {
        /// The limit.
        limit: usize,
    },
    /// The connection failed while the body was read.
    #[error("the connection failed while reading the answer: {0}")]
    Read(String),
    /// The body arrived whole but is not the JSON expected.
    #[error("the answer is not the JSON expected: {0}")]
    NotJson(String),
}

/// The body of `response`, refused once it passes `limit` bytes (by its `Content-Length`
/// before anything is read, else as it arrives).
pub async fn read_bounded(mut response: reqwest::Response, limit: usize) -> Result<Vec<u8>, BodyError> {
    if response
        .content_length()
        .is_some_and(|announced| announced > limit as u64)
    {
        return Err(BodyError::TooLarge { limit });
    }
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| BodyError::Read(e.without_url().to_string()))?
    {
        if body.len() + chunk.len() > limit {
            return Err(BodyError::TooLarge { limit });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// The body of `response` as JSON of type `T`, read to at most `limit` bytes.
pub async fn read_json<T: serde::de::DeserializeOwned>(
    response: reqwest::Response,
    limit: usize,
) -> Result<T, BodyError> {
    let body = read_bounded(response, limit).await?;
    serde_json::from_slice(&body).map_err(|e| BodyError::NotJson(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// A one-shot server on loopback that answers with `body_len` bytes, chunked (no length).
    async fn server(body_len: usize) -> u16 {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("binds");
        let port = listener.local_addr().expect("an address").port();
        tokio::spawn(async move {
            let (mut stream, _) = listener.accept().await.expect("a client");
            let mut request = [0u8; 1024];
            let _ = stream.read(&mut request).await;
            let _ = stream
                .write_all(b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n")
                .await;
            let chunk = vec![b'x'; 64 * 1024];
            let mut sent = 0;
            while sent < body_len {
                let n = chunk.len().min(body_len - sent);
                let head = format!("{n:x}\r\n");
                if stream.write_all(head.as_bytes()).await.is_err()
                    || stream.write_all(&chunk[..n]).await.is_err()
                    || stream.write_all(b"\r\n").await.is_err()
                {
                    return;
                }
                sent += n;
            }
            let _ = stream.write_all(b"0\r\n\r\n").await;
        });
        port
    }

    async fn fetch(port: u16, limit: usize) -> Result<Vec<u8>, BodyError> {
        let response = reqwest::Client::new()
            .get(format!("http://127.0.0.1:{port}/"))
            .send()
            .await
            .expect("an answer");
        read_bounded(response, limit).await
    }

    #[tokio::test]
    async fn bodies_past_the_limit_are_refused_without_reading_them_all() {
        let port = server(5 * 1024 * 1024).await;
        assert!(matches!(
            fetch(port, 4 * 1024 * 1024).await,
            Err(BodyError::TooLarge { .. })
        ));
        let port = server(1000).await;
        assert_eq!(fetch(port, 4 * 1024 * 1024).await.expect("read").len(), 1000);
    }
}
