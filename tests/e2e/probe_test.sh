#!/usr/bin/env bash
# Checks the three real binaries with an independent client (python3-grpcio
# through tools/grpc_probe.py), as the foundation issue asks:
#  - each is SERVING, and reflection lists its partydev.<service>.v1 services;
#  - stopping Redis turns health NOT_SERVING within 5 s, restarting it brings
#    SERVING back without restarting the services.
# Usage: probe_test.sh <bin dir> <source dir>
set -euo pipefail
bin=$1
src=$2
probe="/usr/bin/python3 $src/tools/grpc_probe.py"
work=$(mktemp -d /tmp/partydev-probe-XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  [ -f "$work/redis.pid" ] && kill -9 "$(cat "$work/redis.pid")" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

redis_port=$(free_port)
start_redis() {
  redis-server --port "$redis_port" --bind 127.0.0.1 --dir "$work" --appendonly yes \
    --save "" --daemonize yes --pidfile "$work/redis.pid" --logfile "$work/redis.log"
  for _ in $(seq 100); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && return; sleep 0.05; done
  echo "redis did not start"; exit 1
}
start_redis

declare -A addr
# A "free" port may be taken by a parallel test before the binary binds it:
# the binary then exits (code 1, cannot start), and is started again on
# other ports, up to three times.
start_service() {
  local svc=$1 b=$2 port pid
  for _ in 1 2 3; do
    port=$(free_port)
    PARTYDEV_REDIS="redis://127.0.0.1:$redis_port" PARTYDEV_AUTH=dev \
      PARTYDEV_LISTEN="127.0.0.1:$port" PARTYDEV_METRICS_LISTEN="127.0.0.1:$(free_port)" \
      PARTYDEV_HEALTH_INTERVAL_MS=1000 "$bin/$b" >>"$work/$b.log" 2>&1 &
    pid=$!
    addr[$svc]="127.0.0.1:$port"
    for _ in $(seq 40); do
      kill -0 "$pid" 2>/dev/null || break  # exited: its port was taken
      if $probe wait "${addr[$svc]}" --timeout 0.5 >/dev/null 2>&1; then
        pids+=("$pid")
        return 0
      fi
    done
    if kill -0 "$pid" 2>/dev/null; then
      pids+=("$pid")  # alive but not serving: the checks below say so
      return 0
    fi
    echo "$b exited before serving on $port; starting it again on other ports"
  done
  echo "FAIL: $b did not start"; tail -5 "$work/$b.log"; exit 1
}
for svc in membership quota notification; do
  case $svc in membership) b=membershipd;; quota) b=quotad;; notification) b=notifyd;; esac
  start_service "$svc" "$b"
done

for svc in membership quota notification; do
  $probe wait "${addr[$svc]}" --timeout 20
  listing=$($probe services "${addr[$svc]}")
  echo "$listing" | grep -q "^partydev\.$svc\.v1\." || { echo "FAIL: reflection of $svc lists: $listing"; exit 1; }
  echo "$listing" | grep -q "^grpc.health.v1.Health$" || { echo "FAIL: no health service in $svc"; exit 1; }
  echo "ok: $svc SERVING, reflection lists $(echo "$listing" | grep -c "^partydev\.$svc\.v1\.") partydev.$svc.v1 services"
done

kill "$(cat "$work/redis.pid")"
for svc in membership quota notification; do
  $probe wait "${addr[$svc]}" --want NOT_SERVING --timeout 5 ||
    { echo "FAIL: $svc still SERVING 5 s after Redis stopped"; exit 1; }
done
echo "ok: all NOT_SERVING within 5 s of Redis stopping"
sleep 0.5
start_redis
for svc in membership quota notification; do
  $probe wait "${addr[$svc]}" --timeout 10 ||
    { echo "FAIL: $svc did not come back after Redis restarted"; exit 1; }
done
echo "ok: all SERVING again after Redis restarted, without a service restart"
for p in "${pids[@]}"; do kill -TERM "$p"; done
for p in "${pids[@]}"; do wait "$p" || { echo "FAIL: a service exited non-zero on SIGTERM"; exit 1; }; done
pids=()
echo "ok: all exited 0 on SIGTERM"
