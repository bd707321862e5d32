//! A blank Tauri window with nothing else: the yardstick `scripts/bench-desktop` measures the app
//! against (same Tauri, same WebKitGTK, same machine, same run). With `--text`, the same window
//! showing a few lines of text in the app's fonts: what any page that shows words costs (fonts,
//! layout) before it does anything, so the bench can tell that apart from what the app's page adds.

#![allow(missing_docs, clippy::print_stderr)]

use tauri::webview::PageLoadEvent;
use tauri::{WebviewUrl, WebviewWindowBuilder};

/// A page with no text, and one with text in the app's fonts (`ui/style.css`: system-ui, bold
/// headings, monospace) and nothing else: no script, no styles beyond the fonts.
const BLANK: &str = "<!doctype html><title>blank</title>";
const TEXT: &str = "<!doctype html><title>text</title>\
    <body style=\"font-family: system-ui, sans-serif; font-size: 15px\">\
    <h1>scim-token</h1><p>Sign in to Webex, keep the SCIM token and hand it to Entra.</p>\
    <p><b>Tenant URL</b> <code>https://webexapis.com/identity/scim/0000/v2</code></p></body>";

fn main() {
    let page = if std::env::args().any(|a| a == "--text") {
        TEXT
    } else {
        BLANK
    };
    let mut context = tauri::generate_context!();
    context.config_mut().app.windows.clear();
    tauri::Builder::default()
        // An empty page from a custom protocol, as the app's own page comes from tauri://.
        .register_uri_scheme_protocol("blank", |_ctx, _request| {
            tauri::http::Response::builder()
                .header("content-type", "text/html")
                .body(page.as_bytes().to_vec())
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
