# shellcheck shell=bash
# What the desktop app needs besides system packages: its front end built, and tauri-driver for
# the end-to-end tests.

# Installs the front end's packages when they are missing or older than the lock file, then
# type-checks and bundles it (tsc, esbuild) into ui/dist.
build_ui() {
  (
    cd "$1/ui"
    if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
      npm ci --no-audit --no-fund --loglevel=error
    fi
    npm run --silent build
  )
}

# The front end's fast tests (vitest in jsdom): the panels rendered from data, their events
# handled, with the generated bindings mocked.
test_ui() {
  (cd "$1/ui" && npm test --silent)
}

ensure_tauri_driver() {
  command -v tauri-driver >/dev/null || cargo install tauri-driver --locked --quiet
}
