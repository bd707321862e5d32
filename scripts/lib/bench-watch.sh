#!/usr/bin/env bash
# The background watch's real cost: one `scim-token check --notify`, as the OS scheduler starts it
# (scripts/bench-desktop runs this inside scripts/world: a session bus and keyring, no notification
# daemon). Peak RSS (GNU time's maximum resident set size) and wall time, medians over ROUNDS runs,
# with no stored tokens, 3 tokens none due, and 3 tokens one due (check then asks D-Bus for a
# notification and exits 1). The records file is written directly; no token is needed for check.
#   scripts/lib/bench-watch.sh BINARY [ROUNDS]
set -euo pipefail
bin=$1
rounds=${2:-5}
if [ ! -x /usr/bin/time ]; then
  echo "bench-watch: needs GNU time at /usr/bin/time (Debian package: time)" >&2
  exit 1
fi
work=$(mktemp -d -t scim-token-bench-watch.XXXXXX)
trap 'rm -rf "$work"' EXIT

# records DIR DUE: three Webex tokens, the first DUE days from expiry, the others 200 and 300 days.
records() {
  local dir=$1 first=$2 now
  now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  mkdir -p "$dir"
  local orgs=(1eb65fdf-9643-417f-9974-ad72cae0e10f 2c3d4e5f-0a1b-4c2d-8e3f-405162738495 9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a)
  local days=("$first" 200 300) out='{"version":1,"records":['
  for i in 0 1 2; do
    [ "$i" -gt 0 ] && out+=','
    out+="{\"org_id\":\"${orgs[$i]}\",\"broker\":{\"kind\":\"webex\"},\"issued_at\":\"$now\","
    out+="\"broker_expires_at\":\"$(date -u -d "+${days[$i]} days" +%Y-%m-%dT%H:%M:%SZ)\",\"fingerprint\":\"sha256:0000000$i\"}"
  done
  printf '%s]}\n' "$out" >"$dir/tokens.json"
}

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# measure DIR EXPECTED_EXIT → "peak_kib wall_ms" medians
measure() {
  local dir=$1 expected=$2 rss=() wall=() code start end
  for _ in $(seq "$rounds"); do
    start=$(date +%s%N)
    code=0
    SCIM_TOKEN_CONFIG_DIR=$dir /usr/bin/time -f '%M' -o "$work/time" "$bin" check --notify >"$work/out" 2>"$work/err" || code=$?
    end=$(date +%s%N)
    if [ "$code" != "$expected" ]; then
      echo "bench-watch: check exited $code, expected $expected:" >&2
      cat "$work/out" "$work/err" >&2
      exit 1
    fi
    rss+=("$(tail -n 1 "$work/time")")
    wall+=("$(((end - start) / 1000000))")
  done
  echo "$(printf '%s\n' "${rss[@]}" | median) $(printf '%s\n' "${wall[@]}" | median)"
}

mkdir -p "$work/none"
records "$work/fine" 250
records "$work/due" 3
# One run first so every case starts with the binary in the page cache.
SCIM_TOKEN_CONFIG_DIR=$work/none "$bin" check >/dev/null 2>&1 || true

row() {
  local label=$1 kib=$2 ms=$3
  printf '| %s | %s MiB | %s ms |\n' "$label" "$(awk -v k="$kib" 'BEGIN { printf "%.1f", k / 1024 }')" "$ms"
}
read -r none_kib none_ms < <(measure "$work/none" 0)
read -r fine_kib fine_ms < <(measure "$work/fine" 0)
read -r due_kib due_ms < <(measure "$work/due" 1)
size=$(stat -c %s "$bin")

echo
echo "| background watch: one \`scim-token check --notify\`, $rounds runs, medians | peak RSS | wall time |"
echo "|---|---|---|"
row "no stored tokens" "$none_kib" "$none_ms"
row "3 tokens, none due" "$fine_kib" "$fine_ms"
row "3 tokens, 1 due (notification requested, exit 1)" "$due_kib" "$due_ms"
printf '| release `scim-token` binary size | %s MiB | — |\n' "$(awk -v b="$size" 'BEGIN { printf "%.1f", b / 1048576 }')"
echo "Between runs nothing of scim-token stays in memory: the scheduler (systemd, launchd, Task Scheduler) starts it."
