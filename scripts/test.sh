#!/usr/bin/env bash
# Run the whole test suite once per backend (jax, then tensorflow).
#
# Usage: bash scripts/test.sh [extra pytest args...]
# Env:   PYTHON (default: python), KERASLITE_TEST_BACKENDS (default: "jax tensorflow").
# Exit code 5 from pytest ("no tests collected") counts as success; any other failure fails the run.
set -u

cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python}"
BACKENDS="${KERASLITE_TEST_BACKENDS:-jax tensorflow}"

# Parallelise across CPU cores when pytest-xdist is installed.
XDIST_ARGS=()
if "$PYTHON" -c "import xdist" >/dev/null 2>&1; then
    # loadfile: each test module runs whole on one worker, so a module-scoped fixture (some
    # build and save minutes of models, or start a subprocess of the other backend) runs once
    # per backend. With per-test distribution ("load") a module split over the workers, or
    # interrupted by another module's tests, built its fixtures again each time.
    XDIST_ARGS=(-n auto --dist loadfile)
fi

# Quieter backend start-up logs; tests should not need a GPU.
export TF_CPP_MIN_LOG_LEVEL="${TF_CPP_MIN_LOG_LEVEL:-2}"
export PYTHONDONTWRITEBYTECODE=1

# keraslite's opt-in persistent compilation cache, in a fresh private folder per run: tests
# compile the same small programs many times over (in both workers, in subprocesses, for the
# Keras oracle on JAX too), and a program compiled once is then read back (the recurrent-layer
# and fit tests ran a fifth faster on JAX with a fresh cache). A user's own setting is kept.
cache_root="$(mktemp -d)"
trap 'rm -rf "$cache_root"' EXIT

overall=0
summaries=()
for backend in $BACKENDS; do
    echo "=== keraslite tests: KERASLITE_BACKEND=$backend ==="
    log="$(mktemp)"
    start=$SECONDS
    KERASLITE_COMPILATION_CACHE_DIR="${KERASLITE_COMPILATION_CACHE_DIR:-$cache_root/$backend}" \
    KERASLITE_BACKEND="$backend" "$PYTHON" -m pytest -p no:cacheprovider -q "${XDIST_ARGS[@]}" "$@" 2>&1 | tee "$log"
    rc=${PIPESTATUS[0]}
    elapsed=$((SECONDS - start))
    # pytest -q ends with a summary line such as "12 passed, 1 skipped in 3.21s".
    summary="$(grep -E ' in [0-9.]+s' "$log" | tail -n 1)"
    [ -n "$summary" ] || summary="$(grep -v '^[[:space:]]*$' "$log" | tail -n 1)"
    rm -f "$log"
    if [ "$rc" -eq 5 ]; then
        status="ok (no tests collected)"
    elif [ "$rc" -eq 0 ]; then
        status="ok"
    else
        status="FAILED (pytest exit code $rc)"
        overall=1
    fi
    summaries+=("[$backend] $status: ${summary:-<no summary line>} (${elapsed}s)")
done

echo
echo "=== summary ==="
for line in "${summaries[@]}"; do
    echo "$line"
done
exit "$overall"
