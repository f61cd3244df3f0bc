#!/usr/bin/env bash
# Two API instances and two workers on one PostgreSQL and one Redis, behind nginx, on loopback: the
# production topology to try things against. Ctrl-C stops everything.
#
#   npm run build && scripts/scale-out.sh
#
# DATABASE_URL and REDIS_URL default to the local test services (a database named travellr_scale is
# created when missing); PORT (default 8080) is nginx's. JWT_SECRET is generated for the run.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f dist/src/cli.js ] || { echo "run npm run build first"; exit 2; }
command -v nginx >/dev/null || { echo "nginx is missing (apt-get install nginx-light)"; exit 2; }

export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/travellr_scale}"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379}"
export REDIS_PREFIX="${REDIS_PREFIX:-travellr-scale:}"
export JWT_SECRET="${JWT_SECRET:-$(head -c 48 /dev/urandom | base64 | tr -d '\n')}"
export TRUST_PROXY=1 SEED_DEMO="${SEED_DEMO:-1}" LOG_LEVEL="${LOG_LEVEL:-warn}"
PORT="${PORT:-8080}"
if [[ "$DATABASE_URL" == */travellr_scale ]]; then
  psql "${DATABASE_URL%/*}/postgres" -tc "select 1 from pg_database where datname = 'travellr_scale'" | grep -q 1 ||
    psql "${DATABASE_URL%/*}/postgres" -c "create database travellr_scale" >/dev/null
fi

dir="$(mktemp -d)"
pids=()
stop() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$dir"
}
trap stop EXIT INT TERM

node dist/src/cli.js migrate
for port in 3101 3102; do
  PORT=$port node dist/src/cli.js serve >"$dir/api-$port.log" 2>&1 &
  pids+=($!)
done
for n in 1 2; do
  node dist/src/cli.js worker >"$dir/worker-$n.log" 2>&1 &
  pids+=($!)
done

cat >"$dir/nginx.conf" <<CONF
daemon off;
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/nginx-error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $dir/body;
  proxy_temp_path $dir/proxy;
  fastcgi_temp_path $dir/fastcgi;
  uwsgi_temp_path $dir/uwsgi;
  scgi_temp_path $dir/scgi;
  upstream travellr { server 127.0.0.1:3101; server 127.0.0.1:3102; keepalive 32; }
  server {
    listen 127.0.0.1:$PORT;
    client_max_body_size 1m;
    location / {
      proxy_pass http://travellr;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$host;
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
    }
  }
}
CONF
nginx -p "$dir" -c "$dir/nginx.conf" -e "$dir/nginx-error.log" &
pids+=($!)

for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$PORT/ready" >/dev/null 2>&1 && break; sleep 0.2; done
echo "Travellr behind nginx: http://127.0.0.1:$PORT/api/v1  (admin: http://127.0.0.1:$PORT/admin)"
echo "Two API instances (3101, 3102), two workers; logs in $dir. Ctrl-C stops them."
wait
