//! A blank Tauri window with nothing else: the yardstick `scripts/bench-desktop` measures the app
//! against (same Tauri, same WebKitGTK, same machine, same run).

#![allow(missing_docs, clippy::print_stderr)]

use tauri::webview::PageLoadEvent;
use tauri::{WebviewUrl, WebviewWindowBuilder};

fn main() {
    let mut context = tauri::generate_context!();
    context.config_mut().app.windows.clear();
    tauri::Builder::default()
        // An empty page from a custom protocol, as the app's own page comes from tauri://.
        .register_uri_scheme_protocol("blank", |_ctx, _request| {
            tauri::http::Response::builder()
                .header("content-type", "text/html")
                .body(b"<!doctype html><title>blank</title>".to_vec())
                .expect("a static response")
        })
        .setup(|app| {
            WebviewWindowBuilder::new(
                app,
                "main",
                WebviewUrl::CustomProtocol("blank://localhost/".parse()?),
            )
            .title("blank")
            .inner_size(1000.0, 760.0)
            .build()?;
            Ok(())
        })
        .on_page_load(|_webview, payload| {
            if payload.event() == PageLoadEvent::Finished {
                eprintln!("main window loaded");
            }
        })
        .run(context)
        .expect("the blank window starts");
}
