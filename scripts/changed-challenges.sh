#!/usr/bin/env bash
# The ids of the challenges a change touches, one a line: those whose folder (challenges/<id>/) or whose
# reference (found as the judge finds it: the package's folder first, then reference/) differs from BASE,
# in commits or in the working tree. A change to the mutation machinery itself touches every challenge.
#   bash scripts/changed-challenges.sh [BASE]
# BASE defaults to $MLJ_CHANGES_BASE, else origin/main when it is not HEAD itself, else HEAD~1. When BASE
# cannot be found (a shallow clone), every challenge is listed: a check is never skipped for want of history.
# CI: mlj verify --mutants $(bash scripts/changed-challenges.sh) --jobs 2
set -euo pipefail
cd "$(dirname "$0")/.."

all_ids() { for dir in challenges/*/; do [ -f "$dir/challenge.yaml" ] && basename "$dir"; done; return 0; }

base="${1:-${MLJ_CHANGES_BASE:-}}"
if [ -z "$base" ]; then
    if git rev-parse -q --verify origin/main >/dev/null && \
            [ "$(git rev-parse origin/main)" != "$(git rev-parse HEAD)" ]; then
        base=$(git merge-base origin/main HEAD)
    else
        base=HEAD~1
    fi
fi
if ! git rev-parse -q --verify "$base^{commit}" >/dev/null; then
    echo "changed-challenges: $base is not a commit here; listing every challenge" >&2
    all_ids
    exit 0
fi

changed=$( { git diff --name-only "$base" --; git ls-files --others --exclude-standard; } | sort -u)
if grep -qxE 'judge/mutants\.py|judge/mutant_operators\.py' <<<"$changed"; then
    all_ids
    exit 0
fi
for dir in challenges/*/; do
    id=$(basename "$dir")
    [ -f "$dir/challenge.yaml" ] || continue
    reference=$(sed -n 's/^reference:[[:space:]]*//p' "$dir/challenge.yaml" | tr -d "\"'" | sed 's/[[:space:]]*#.*//')
    if [ -n "$reference" ] && [ -f "$dir$reference" ]; then
        reference_path="$dir$reference"
    else
        reference_path="reference/$reference"
    fi
    if grep -q "^challenges/$id/" <<<"$changed" || grep -qxF "$reference_path" <<<"$changed"; then
        echo "$id"
    fi
done
