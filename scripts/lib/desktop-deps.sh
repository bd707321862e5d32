# shellcheck shell=bash
# What the desktop app needs besides system packages: its front end built, and tauri-driver for
# the end-to-end tests.

build_ui() {
  (cd "$1/ui" && { [ -d node_modules ] || npm ci --no-audit --no-fund --loglevel=error; } && npm run --silent build)
}

ensure_tauri_driver() {
  command -v tauri-driver >/dev/null || cargo install tauri-driver --locked --quiet
}
