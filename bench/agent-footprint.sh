#!/usr/bin/env bash
# Measures one agent's memory and CPU while it runs N host monitors.
#   bash bench/agent-footprint.sh [N monitors, default 10] [interval, default 10s] [seconds, default 120]
# Starts a server and an agent on loopback in a temp dir, creates the monitors through the API, waits
# one interval, then reads the agent's /proc/PID/stat (utime+stime) and VmRSS/VmHWM over the window.
# VIGIL_BIN=path uses that binary rather than building one (e.g. to compare two builds). A second
# line splits the RSS into anonymous memory (heap, stacks) and file-backed pages (the binary's text).
set -euo pipefail
n=${1:-10}; interval=${2:-10s}; secs=${3:-120}
cd "$(dirname "$0")/.."
dir=$(mktemp -d); trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$dir"' EXIT
if [ -n "${VIGIL_BIN:-}" ]; then cp "$VIGIL_BIN" "$dir/vigil"; else CGO_ENABLED=0 go build -trimpath -o "$dir/vigil" .; fi
# The agent runs its own copy of the binary, as on a host of its own: with one file for both, the
# kernel maps into the agent pages of code the server brought into the page cache.
cp "$dir/vigil" "$dir/vigil-agent"
printf 'footprint-password\n' > "$dir/pw"
port=$((20000 + RANDOM % 20000)); aport=$((port + 1))
"$dir/vigil" server --data "$dir/data" --listen 127.0.0.1:$port --agent-listen 127.0.0.1:$aport \
  --admin-user bench --admin-password-file "$dir/pw" 2>"$dir/server.log" &
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
api() { curl -sf -H "Authorization: Bearer $tok" -H 'Content-Type: application/json' "$@"; }
tok=$(curl -sf -XPOST "http://127.0.0.1:$port/api/v1/auth/token" -d '{"username":"bench","password":"footprint-password"}' | sed 's/.*"token":"\([^"]*\)".*/\1/')
join=$(api -XPOST "http://127.0.0.1:$port/api/v1/join-tokens" -d '{"ttl":"1h","uses":1}' | sed 's/.*"token":"\([^"]*\)".*/\1/')
"$dir/vigil-agent" agent --server "https://127.0.0.1:$aport" --token "$join" --state "$dir/agent" --name bench-agent 2>"$dir/agent.log" &
apid=$!
sleep 2
types=(cpu memory swap disk load network process cpu memory disk)
targets=("" "" "" "/" "" "lo" "init" "" "" "/")
for i in $(seq 0 $((n - 1))); do
  t=${types[$((i % 10))]}; tg=${targets[$((i % 10))]}
  api -XPOST "http://127.0.0.1:$port/api/v1/monitors" -d "{\"name\":\"m$i\",\"type\":\"$t\",\"target\":\"$tg\",\"interval\":\"$interval\",\"locations\":[\"bench-agent\"]}" >/dev/null
done
sleep "${interval%s}"
ticks() { awk '{print $14 + $15}' "/proc/$apid/stat"; }
t0=$(ticks); s0=$(date +%s.%N)
sleep "$secs"
t1=$(ticks); s1=$(date +%s.%N)
st() { awk -v k="$1:" '$1 == k {print $2}' "/proc/$apid/status"; }
rss=$(st VmRSS); hwm=$(st VmHWM); anon=$(st RssAnon); file=$(st RssFile)
hz=$(getconf CLK_TCK)
awk -v t0="$t0" -v t1="$t1" -v s0="$s0" -v s1="$s1" -v hz="$hz" -v rss="$rss" -v hwm="$hwm" -v n="$n" -v iv="$interval" 'BEGIN {
  cpu = (t1 - t0) / hz; wall = s1 - s0
  printf "| %d host monitors every %s | %.0f s | %.2f s | %.3f%% of one core | %.1f MiB | %.1f MiB |\n", n, iv, wall, cpu, 100 * cpu / wall, rss / 1024, hwm / 1024 }'
awk -v a="$anon" -v f="$file" 'BEGIN { printf "RssAnon %.1f MiB, RssFile %.1f MiB\n", a / 1024, f / 1024 }'
