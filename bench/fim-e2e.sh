#!/usr/bin/env bash
# File integrity end to end at scale: a real `vigil server` and `vigil agent` on loopback, a policy on
# DIR, then the baseline, a rescan with nothing changed, and a rescan after CHANGED files were rewritten.
#   bash bench/fim-e2e.sh DIR [changed files, default 10]
# Prints, for each scan, its wall time from asking for it to the server holding the result (a new
# policy's first scan starts within 10 s, spread over the agents), the scan's own time as the agent
# logs it, and both processes' peak RSS (VmHWM) and CPU time so far. Needs curl and jq.
# DIR must hold regular files in subdirectories (bench/fimscan tree makes one); the files rewritten
# are DIR's first CHANGED files in walk order, and are put back as they were at the end.
# VIGIL_BIN=path uses that binary rather than building one; SETTLE=seconds also prints the agent's
# resident memory that long after the last scan; IO_LIMIT=MB/s sets the policy's read budget (default
# 0, none); PROGRESS=1 prints the scan's progress (objects, bytes) about once a second.
set -euo pipefail
target=$(realpath "$1"); changed=${2:-10}
cd "$(dirname "$0")/.."
dir=$(mktemp -d); trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$dir"' EXIT
if [ -n "${VIGIL_BIN:-}" ]; then cp "$VIGIL_BIN" "$dir/vigil"; else CGO_ENABLED=0 go build -trimpath -o "$dir/vigil" .; fi
cp "$dir/vigil" "$dir/vigil-agent"
printf 'fim-bench-password\n' > "$dir/pw"
port=$((20000 + RANDOM % 20000)); aport=$((port + 1)); base="http://127.0.0.1:$port/api/v1"
"$dir/vigil" server --data "$dir/data" --listen 127.0.0.1:$port --agent-listen 127.0.0.1:$aport \
  --admin-user bench --admin-password-file "$dir/pw" 2>"$dir/server.log" &
spid=$!
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
tok=$(curl -sf -XPOST "$base/auth/token" -d '{"username":"bench","password":"fim-bench-password"}' | jq -r .token)
api() { curl -sf -H "Authorization: Bearer $tok" -H 'Content-Type: application/json' "$@"; }
join=$(api -XPOST "$base/join-tokens" -d '{"ttl":"1h","uses":1}' | jq -r .token)
"$dir/vigil-agent" agent --server "https://127.0.0.1:$aport" --token "$join" --state "$dir/agent" --name fim-bench 2>"$dir/agent.log" &
apid=$!
for _ in $(seq 50); do [ "$(api "$base/agents" | jq '[.[] | select(.online)] | length')" = 1 ] && break; sleep 0.2; done

hz=$(getconf CLK_TCK)
usage() { # name pid: peak RSS and CPU seconds so far
  awk -v n="$1" -v hz="$hz" -v pid="$2" 'FNR == NR && $1 == "VmHWM:" {hwm = $2} FNR != NR {cpu = ($14 + $15) / hz}
    END {printf "%s VmHWM %.1f MiB, CPU %.1f s", n, hwm / 1024, cpu}' "/proc/$2/status" "/proc/$2/stat"
}
# wait_scan N: until the agent's last_scan is N and no scan runs, then print the scan's figures; the
# wall time is from $t0 (set just before the scan was asked for) to when the server had it all.
wait_scan() {
  local row i=0
  for _ in $(seq 18000); do
    row=$(api "$base/fim/policies/$pol" | jq -c '.agents[0]')
    if [ "$(jq -r '.last_scan' <<<"$row")" -ge "$1" ] && [ "$(jq -r '.scanning' <<<"$row")" = false ]; then break; fi
    if [ -n "${PROGRESS:-}" ] && [ $((i % 5)) = 0 ]; then # about once a second
      jq -r --arg t "$(awk -v t0="$t0" -v t1="$(date +%s.%N)" 'BEGIN {printf "%.0f", t1 - t0}')" \
        '"  progress at \($t) s: \(.progress.objects // 0) objects, \((.progress.bytes // 0) / 1048576 | floor) MiB hashed"' <<<"$row"
    fi
    i=$((i + 1))
    sleep 0.2
  done
  jq -r '"scan \(.last_scan): \(.objects) objects in the baseline, \(.open_changes) open changes, \(.error_count) errors"' <<<"$row"
  awk -v t0="$t0" -v t1="$(date +%s.%N)" 'BEGIN {printf "  wall %.1f s from asking to the server holding it (polled every 0.2 s", t1 - t0}'
  echo "; the agent's scan took $(grep 'file integrity scan finished' "$dir/agent.log" | tail -1 | grep -o 'took=[^ ]*' | cut -d= -f2))"
  echo "  $(usage agent $apid); $(usage server $spid)"
}

t0=$(date +%s.%N)
pol=$(api -XPOST "$base/fim/policies" -d "{\"name\":\"bench\",\"agents\":[\"fim-bench\"],\"paths\":[\"$target\"],\"interval\":\"168h\",\"io_limit_mbps\":${IO_LIMIT:-0}}" | jq -r .id)
echo "policy $pol on $target; load average $(cut -d' ' -f1-3 /proc/loadavg)"
wait_scan 1
t0=$(date +%s.%N); api -XPOST "$base/fim/policies/$pol/scan" >/dev/null
wait_scan 2
mapfile -t files < <(find "$target" -type f | sort | head -n "$changed")
for i in "${!files[@]}"; do cp -p "${files[$i]}" "$dir/saved-$i"; echo changed >> "${files[$i]}"; done
t0=$(date +%s.%N); api -XPOST "$base/fim/policies/$pol/scan" >/dev/null
wait_scan 3
echo "  open changes listed: $(api "$base/fim/changes?policy=$pol&open=true" | jq length) (rewrote ${#files[@]} files)"
for i in "${!files[@]}"; do cp -p "$dir/saved-$i" "${files[$i]}"; done
du -sh "$dir/agent" "$dir/data" | sed 's/^/  on disk: /'
if [ -n "${SETTLE:-}" ]; then # SETTLE=seconds: the agent's resident memory that long after the scans
  sleep "$SETTLE"
  awk -v s="$SETTLE" '$1 == "VmRSS:" {r = $2} $1 == "RssAnon:" {a = $2} END {printf "agent %d s after the scans: VmRSS %.1f MiB (RssAnon %.1f MiB)\n", s, r / 1024, a / 1024}' "/proc/$apid/status"
fi
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
