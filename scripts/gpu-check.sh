#!/usr/bin/env bash
# The checks that need a real NVIDIA GPU, as one short script for a lent GPU machine (see the README's
# "GPUs"): the cuda challenges verified on the GPU, and a CUDA out-of-memory error graded as MLE.
# CI has no GPU; the GPU code paths are unit-tested on the CPU there (tests/judge/test_batch.py).
#   bash scripts/gpu-check.sh [OUT_DIR]     exit 0: every check passed
# It installs nothing: the machine must have a CUDA build of torch and mlj's dependencies (pip install -e .).
set -uo pipefail
cd "$(dirname "$0")/.."
out="${1:-${OUT:-/tmp/mlj-gpu-check}}"
mkdir -p "$out"
failed=0
check() {  # check NAME COMMAND...: run it, keep its log, count a failure
    local name="$1"; shift
    printf '== %s\n' "$name"
    if "$@" >"$out/$name.log" 2>&1; then echo "ok"; else echo "FAILED (log: $out/$name.log)"; tail -20 "$out/$name.log"; failed=$((failed + 1)); fi
}

check nvidia-smi nvidia-smi
check torch-cuda python3 -c "import torch; assert torch.cuda.is_available(), 'torch has no CUDA here'; print(torch.__version__, torch.cuda.get_device_name(0))"

# every challenge that lists cuda among its devices, verified with its known solutions on GPU 0
for id in $(python3 - <<'EOF'
from judge.challenge import Challenge, discover
print(" ".join(c.id for c in discover() if isinstance(c, Challenge) and "cuda" in c.spec.devices))
EOF
); do
    check "verify-$id" python3 -m cli verify "$id" --sandbox process --gpus 0 --seeds 1
done

# a submission that exhausts GPU memory is MLE ("GPU memory"), never RE or JE
oom="$out/cuda_oom.py"
cp examples/softmax_cross_entropy.py "$oom"
cat >>"$oom" <<'EOF'


def cross_entropy(logits, targets, *args, **kwargs):  # noqa: F811 - fills the GPU, then answers
    import torch

    hold = []
    while True:
        hold.append(torch.empty(1 << 34, dtype=torch.uint8, device=logits.device))
EOF
check cuda-oom-is-mle bash -c "python3 -m cli submit softmax-cross-entropy '$oom' --sandbox process --gpus 0 --json \
    >'$out/oom.json'; python3 -c \"import json, sys; r = json.load(open('$out/oom.json')); v = r.get('verdict'); \
print(v, r.get('message', '')[:200]); sys.exit(v != 'MLE')\""

echo "$failed check(s) failed"
exit $((failed > 0))
