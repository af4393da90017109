#!/usr/bin/env bash
# Smoke test of an external engine on a machine with NVIDIA GPUs (not run in CI: CI has no GPU).
#
#   scripts/external-engines-smoke.sh vllm  /models/Qwen2.5-0.5B-Instruct [TP]
#   scripts/external-engines-smoke.sh sglang /models/Qwen2.5-0.5B-Instruct [TP]
#   scripts/external-engines-smoke.sh llama_cpp /models/qwen2.5-0.5b-instruct-q4_k_m.gguf
#
# Starts a one-node Troupe cluster (the node detects its GPUs with nvidia-smi), deploys the model with the chosen
# preset, checks /v1/models, a completion, a streamed chat completion and the GPU ids the engine process got, then
# SIGKILLs the engine's leader process and waits for the gang to serve again at the next epoch. Needs the engine on
# the PATH (vllm, python3 -m sglang.launch_server, llama-server), curl, nvidia-smi. Leaves the cluster stopped.
set -euo pipefail
ENGINE=${1:?engine: vllm|sglang|llama_cpp}
MODEL=${2:?model path}
TP=${3:-1}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TROUPE="$ROOT/troupe"
export TROUPE_HOME=${TROUPE_HOME:-$(mktemp -d -t troupe-smoke-XXXX)}
PORT=${PORT:-8000}
CONFIG="$TROUPE_HOME/smoke.yaml"
trap '"$TROUPE" stop --force >/dev/null 2>&1 || true' EXIT

nvidia-smi -L
"$TROUPE" start --head --dashboard-port 8265
cat > "$CONFIG" <<YAML
http_options: {host: 127.0.0.1, port: $PORT}
applications:
  - name: smoke
    route_prefix: /
    import_path: io.troupe.llm.serve.LlmApps:fromArgs
    args:
      models:
        - {model_id: smoke, engine: $ENGINE, model_source: "$MODEL", tensor_parallel_size: $TP,
           num_gpus_per_rank: 1, ready_timeout_s: 1800, graceful_shutdown_timeout_s: 10}
YAML
"$TROUPE" serve deploy "$CONFIG" --wait 600
curl -sf "http://127.0.0.1:$PORT/v1/models"; echo
curl -sf "http://127.0.0.1:$PORT/v1/completions" -H 'content-type: application/json' \
  -d '{"model": "smoke", "prompt": "The capital of France is", "max_tokens": 8, "temperature": 0}'; echo
curl -sfN "http://127.0.0.1:$PORT/v1/chat/completions" -H 'content-type: application/json' \
  -d '{"model": "smoke", "messages": [{"role": "user", "content": "Count to five."}], "max_tokens": 32, "stream": true}' \
  | head -5
echo "engine processes and their CUDA_VISIBLE_DEVICES:"
for pid in $(pgrep -f "troupe-watchdog" || true); do
  for child in $(pgrep -P "$pid" || true); do
    echo "  pid $child: $(tr '\0' '\n' < /proc/$child/environ | grep '^CUDA_VISIBLE_DEVICES=' || true)"
  done
done
LEADER=$(pgrep -f "troupe-watchdog .*node0" | head -1 || true)
if [ -n "$LEADER" ]; then
  CHILD=$(pgrep -P "$LEADER" | head -1)
  echo "SIGKILL of the leader engine process $CHILD; waiting for the gang to serve again"
  kill -KILL "$CHILD"
  start=$(date +%s)
  until curl -sf "http://127.0.0.1:$PORT/v1/completions" -H 'content-type: application/json' \
      -d '{"model": "smoke", "prompt": "hi", "max_tokens": 2}' >/dev/null; do
    sleep 2
    if [ $(( $(date +%s) - start )) -gt 1800 ]; then echo "not serving again after 30 min" >&2; exit 1; fi
  done
  echo "serving again after $(( $(date +%s) - start )) s"
fi
echo OK
