"""Side-by-side training throughput: keraslite vs Keras 3 vs hand-written JAX loops.

Every runner trains the same models on the same synthetic data (fixed seed) with Adam and
sparse categorical cross-entropy, and reports samples per second of ``fit`` after a warm-up
epoch (so compilation is excluded), median of ``--repeats`` timed fits. It also times
``predict`` on a single sample (median of ``--predict-calls`` calls after warm-up) for the MLPs.

Each runner runs in its own subprocess, because a backend is chosen once, at import.

    python benchmarks/fit_throughput.py                       # everything available
    python benchmarks/fit_throughput.py --quick               # small sizes, one repeat
    python benchmarks/fit_throughput.py --models mlp_tiny --runners keras-jax,jax-jit

This is a benchmark, not a test: it asserts nothing.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time

import numpy as np

NUM_CLASSES = 10
RESULT_MARKER = "FIT_THROUGHPUT_RESULT "

# name -> input shape, batch size, samples per epoch, timed epochs per fit.
MODELS = {
    "mlp_tiny": {"input_shape": (32,), "batch_size": 32, "samples": 32768, "epochs": 3,
                 "about": "MLP 32-64-10, batch 32"},
    "mlp": {"input_shape": (784,), "batch_size": 128, "samples": 16384, "epochs": 2,
            "about": "MLP 784-512-512-10, batch 128"},
    "cnn": {"input_shape": (28, 28, 1), "batch_size": 128, "samples": 8192, "epochs": 1,
            "about": "CNN 28x28x1 conv32-pool-conv64-pool-dense10, batch 128"},
}
PREDICT_MODELS = ("mlp_tiny", "mlp")

# runner -> (kind, environment for its subprocess).
RUNNERS = {
    "keraslite-jax": ("keras_api", {"KERASLITE_BACKEND": "jax"}),
    "keraslite-tf": ("keras_api", {"KERASLITE_BACKEND": "tensorflow"}),
    "keras-jax": ("keras_api", {"KERAS_BACKEND": "jax"}),
    "keras-tf": ("keras_api", {"KERAS_BACKEND": "tensorflow"}),
    "jax-jit": ("jax_loop", {}),
    "jax-scan": ("jax_loop", {}),
}
# (numerator, denominator) runner pairs shown as ratios of samples/s.
RATIOS = (
    ("keraslite-jax", "keras-jax"),
    ("keraslite-jax", "jax-jit"),
    ("keraslite-jax", "jax-scan"),
    ("keraslite-tf", "keras-tf"),
)


def make_data(model_name: str, samples: int):
    """Synthetic inputs and integer labels, identical in every subprocess."""
    spec = MODELS[model_name]
    rng = np.random.RandomState(1234)
    x = rng.standard_normal((samples,) + spec["input_shape"]).astype("float32")
    y = rng.randint(0, NUM_CLASSES, size=(samples,)).astype("int32")
    return x, y


def sizes(model_name: str, quick: bool):
    spec = MODELS[model_name]
    samples, epochs = spec["samples"], spec["epochs"]
    if quick:
        samples = max(spec["batch_size"] * 4, samples // 8)
        epochs = 1
    return samples, epochs


# --------------------------------------------------------------------------------------------
# Runners that use the Keras API (keraslite or Keras 3); the module is picked by name.
# --------------------------------------------------------------------------------------------

def build_keras_api_model(keras, model_name: str):
    layers = keras.layers
    shape = MODELS[model_name]["input_shape"]
    if model_name == "mlp_tiny":
        stack = [layers.Dense(64, activation="relu")]
    elif model_name == "mlp":
        stack = [layers.Dense(512, activation="relu"), layers.Dense(512, activation="relu")]
    elif model_name == "cnn":
        stack = [
            layers.Conv2D(32, 3, activation="relu"),
            layers.MaxPooling2D(2),
            layers.Conv2D(64, 3, activation="relu"),
            layers.MaxPooling2D(2),
            layers.Flatten(),
        ]
    else:
        raise ValueError(f"unknown model {model_name!r}")
    stack.append(layers.Dense(NUM_CLASSES, activation="softmax"))
    return keras.Sequential([keras.Input(shape=shape)] + stack)


def run_keras_api(runner: str, model_names, quick: bool, repeats: int, predict_calls: int):
    module = "keraslite" if runner.startswith("keraslite") else "keras"
    keras = __import__(module)
    info = {"library": module, "version": getattr(keras, "__version__", "?"),
            "backend": keras.backend.backend()}
    results = {}
    for model_name in model_names:
        try:
            keras.utils.set_random_seed(0)
            samples, epochs = sizes(model_name, quick)
            batch_size = MODELS[model_name]["batch_size"]
            x, y = make_data(model_name, samples)
            model = build_keras_api_model(keras, model_name)
            model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=[])
            model.fit(x, y, batch_size=batch_size, epochs=1, verbose=0)  # warm-up: compiles
            times = []
            for _ in range(repeats):
                start = time.perf_counter()
                model.fit(x, y, batch_size=batch_size, epochs=epochs, verbose=0)
                times.append(time.perf_counter() - start)
            entry = throughput_entry(samples, epochs, times)
            if model_name in PREDICT_MODELS and predict_calls > 0:
                one = x[:1]
                entry["predict_ms"] = time_calls(
                    lambda: model.predict(one, verbose=0), predict_calls)
            results[model_name] = entry
        except Exception as err:  # report and go on with the next model
            results[model_name] = {"error": f"{type(err).__name__}: {err}"[:300]}
    return info, results


# --------------------------------------------------------------------------------------------
# Hand-written JAX + optax loops: one jitted step per batch, or one lax.scan per epoch.
# --------------------------------------------------------------------------------------------

def run_jax_loop(runner: str, model_names, quick: bool, repeats: int, predict_calls: int):
    import jax
    import jax.numpy as jnp
    import optax

    info = {"library": "jax+optax", "version": f"jax {jax.__version__}, optax {optax.__version__}",
            "backend": "jax", "device": str(jax.devices()[0])}

    def glorot(key, shape, fan_in, fan_out):
        limit = np.sqrt(6.0 / (fan_in + fan_out))
        return jax.random.uniform(key, shape, jnp.float32, -limit, limit)

    def init_params(model_name, key):
        keys = iter(jax.random.split(key, 8))
        if model_name in ("mlp_tiny", "mlp"):
            widths = [32, 64, 10] if model_name == "mlp_tiny" else [784, 512, 512, 10]
            return [
                {"w": glorot(next(keys), (a, b), a, b), "b": jnp.zeros((b,), jnp.float32)}
                for a, b in zip(widths[:-1], widths[1:])
            ]
        # CNN: HWIO kernels; fan sizes as Keras computes them for glorot_uniform.
        return {
            "c1": {"w": glorot(next(keys), (3, 3, 1, 32), 9 * 1, 9 * 32),
                   "b": jnp.zeros((32,), jnp.float32)},
            "c2": {"w": glorot(next(keys), (3, 3, 32, 64), 9 * 32, 9 * 64),
                   "b": jnp.zeros((64,), jnp.float32)},
            "d": {"w": glorot(next(keys), (5 * 5 * 64, 10), 5 * 5 * 64, 10),
                  "b": jnp.zeros((10,), jnp.float32)},
        }

    def conv_relu(x, p):
        y = jax.lax.conv_general_dilated(
            x, p["w"], window_strides=(1, 1), padding="VALID",
            dimension_numbers=("NHWC", "HWIO", "NHWC"))
        return jax.nn.relu(y + p["b"])

    def max_pool(x):
        return jax.lax.reduce_window(x, -jnp.inf, jax.lax.max, (1, 2, 2, 1), (1, 2, 2, 1), "VALID")

    def make_forward(model_name):
        if model_name in ("mlp_tiny", "mlp"):
            def forward(params, x):
                for layer in params[:-1]:
                    x = jax.nn.relu(x @ layer["w"] + layer["b"])
                return x @ params[-1]["w"] + params[-1]["b"]
        else:
            def forward(params, x):
                x = max_pool(conv_relu(x, params["c1"]))
                x = max_pool(conv_relu(x, params["c2"]))
                x = x.reshape(x.shape[0], -1)
                return x @ params["d"]["w"] + params["d"]["b"]
        return forward

    results = {}
    for model_name in model_names:
        try:
            samples, epochs = sizes(model_name, quick)
            batch_size = MODELS[model_name]["batch_size"]
            steps = samples // batch_size
            x, y = make_data(model_name, samples)
            forward = make_forward(model_name)
            optimizer = optax.adam(1e-3, eps=1e-7)  # Keras' Adam defaults

            def loss_fn(params, xb, yb):
                logits = forward(params, xb)
                return optax.softmax_cross_entropy_with_integer_labels(logits, yb).mean()

            def train_step(params, opt_state, xb, yb):
                loss, grads = jax.value_and_grad(loss_fn)(params, xb, yb)
                updates, opt_state = optimizer.update(grads, opt_state, params)
                return optax.apply_updates(params, updates), opt_state, loss

            if runner == "jax-jit":
                step = jax.jit(train_step, donate_argnums=(0, 1))
                shuffle_rng = np.random.RandomState(0)

                def run_epochs(params, opt_state, n_epochs):
                    for _ in range(n_epochs):
                        order = shuffle_rng.permutation(samples)
                        for i in range(steps):
                            idx = order[i * batch_size:(i + 1) * batch_size]
                            params, opt_state, _ = step(params, opt_state, x[idx], y[idx])
                    jax.block_until_ready(params)
                    return params, opt_state
            else:
                x_dev, y_dev = jax.device_put(x), jax.device_put(y)

                @jax.jit
                def _epoch(params, opt_state, key, xs_all, ys_all):
                    order = jax.random.permutation(key, samples)[: steps * batch_size]
                    xs = xs_all[order].reshape((steps, batch_size) + xs_all.shape[1:])
                    ys = ys_all[order].reshape((steps, batch_size))

                    def body(carry, batch):
                        new_params, new_state, loss = train_step(*carry, *batch)
                        return (new_params, new_state), loss

                    (params, opt_state), losses = jax.lax.scan(body, (params, opt_state), (xs, ys))
                    return params, opt_state, losses.mean()

                epoch = jax.jit(_epoch, donate_argnums=(0, 1))
                key_holder = [jax.random.PRNGKey(0)]

                def run_epochs(params, opt_state, n_epochs):
                    for _ in range(n_epochs):
                        key_holder[0], sub = jax.random.split(key_holder[0])
                        params, opt_state, _ = epoch(params, opt_state, sub, x_dev, y_dev)
                    jax.block_until_ready(params)
                    return params, opt_state

            params = init_params(model_name, jax.random.PRNGKey(0))
            opt_state = optimizer.init(params)
            params, opt_state = run_epochs(params, opt_state, 1)  # warm-up: compiles
            times = []
            for _ in range(repeats):
                start = time.perf_counter()
                params, opt_state = run_epochs(params, opt_state, epochs)
                times.append(time.perf_counter() - start)
            entry = throughput_entry(steps * batch_size, epochs, times)
            if model_name in PREDICT_MODELS and predict_calls > 0:
                predict = jax.jit(forward)
                one = x[:1]
                final_params = params
                entry["predict_ms"] = time_calls(
                    lambda: np.asarray(predict(final_params, one)), predict_calls)
            results[model_name] = entry
        except Exception as err:
            results[model_name] = {"error": f"{type(err).__name__}: {err}"[:300]}
    return info, results


# --------------------------------------------------------------------------------------------
# Shared timing helpers.
# --------------------------------------------------------------------------------------------

def throughput_entry(samples: int, epochs: int, times):
    seconds = statistics.median(times)
    return {
        "samples_per_s": samples * epochs / seconds,
        "fit_seconds_median": seconds,
        "fit_seconds_all": times,
        "samples": samples,
        "epochs": epochs,
    }


def time_calls(fn, calls: int) -> float:
    """Median milliseconds per call, after a few warm-up calls."""
    for _ in range(5):
        fn()
    times = []
    for _ in range(calls):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return 1000.0 * statistics.median(times)


def worker(args) -> None:
    """Runs one runner in this process and prints its results as one JSON line."""
    import warnings

    warnings.filterwarnings("ignore")
    runner = args.worker
    kind, _ = RUNNERS[runner]
    model_names = args.models
    fn = run_keras_api if kind == "keras_api" else run_jax_loop
    try:
        info, results = fn(runner, model_names, args.quick, args.repeats, args.predict_calls)
        payload = {"runner": runner, "info": info, "results": results}
    except ImportError as err:
        payload = {"runner": runner, "unavailable": f"{type(err).__name__}: {err}"[:300]}
    except Exception as err:
        payload = {"runner": runner, "error": f"{type(err).__name__}: {err}"[:300]}
    print(RESULT_MARKER + json.dumps(payload), flush=True)


# --------------------------------------------------------------------------------------------
# Parent: spawn one subprocess per runner, collect JSON, print tables.
# --------------------------------------------------------------------------------------------

def spawn(runner: str, args) -> dict:
    _, extra_env = RUNNERS[runner]
    env = dict(os.environ)
    env.update(extra_env)
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [repo, env.get("PYTHONPATH")]))
    cmd = [sys.executable, os.path.abspath(__file__), "--worker", runner,
           "--models", ",".join(args.models), "--repeats", str(args.repeats),
           "--predict-calls", str(args.predict_calls)]
    if args.quick:
        cmd.append("--quick")
    start = time.perf_counter()
    try:
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True,
                              stdin=subprocess.DEVNULL, timeout=args.timeout)
    except subprocess.TimeoutExpired:
        return {"runner": runner, "error": f"timed out after {args.timeout}s"}
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith(RESULT_MARKER):
            payload = json.loads(line[len(RESULT_MARKER):])
            payload["wall_s"] = time.perf_counter() - start
            return payload
    tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
    return {"runner": runner, "error": f"exit {proc.returncode}: " + " | ".join(tail)[:300]}


def fmt_rate(entry) -> str:
    if entry is None:
        return "-"
    if "error" in entry:
        return "error"
    return f"{entry['samples_per_s']:,.0f}"


def print_tables(all_results, model_names, runners) -> None:
    try:
        from rich.console import Console
        from rich.table import Table
    except ImportError:  # rich is a keraslite dependency, but keep the script usable without it
        Console = Table = None

    def cell(runner, model):
        payload = all_results.get(runner, {})
        return payload.get("results", {}).get(model)

    def rate(runner, model):
        entry = cell(runner, model)
        return entry.get("samples_per_s") if entry and "error" not in entry else None

    ratio_pairs = [(a, b) for a, b in RATIOS if a in runners and b in runners]
    header = ["model"] + list(runners) + [f"{a} / {b}" for a, b in ratio_pairs]
    rows = []
    for model in model_names:
        row = [model] + [fmt_rate(cell(r, model)) for r in runners]
        for a, b in ratio_pairs:
            ra, rb = rate(a, model), rate(b, model)
            row.append(f"{ra / rb:.2f}x" if ra and rb else "-")
        rows.append(row)

    predict_models = [m for m in model_names if m in PREDICT_MODELS]
    p_header = ["model"] + list(runners)
    p_rows = []
    for model in predict_models:
        row = [model]
        for r in runners:
            entry = cell(r, model)
            row.append(f"{entry['predict_ms']:.3f}" if entry and "predict_ms" in entry else "-")
        p_rows.append(row)

    if Console is not None:
        console = Console(width=max(100, 14 * len(header)))
        table = Table(title="fit throughput (samples/s, higher is better)")
        for h in header:
            table.add_column(h, justify="left" if h == "model" else "right")
        for row in rows:
            table.add_row(*row)
        console.print(table)
        if p_rows:
            ptable = Table(title="predict on 1 sample (median ms per call, lower is better)")
            for h in p_header:
                ptable.add_column(h, justify="left" if h == "model" else "right")
            for row in p_rows:
                ptable.add_row(*row)
            console.print(ptable)
    else:
        print("fit throughput (samples/s)")
        for row in [header] + rows:
            print(" | ".join(row))
        print("predict on 1 sample (ms)")
        for row in [p_header] + p_rows:
            print(" | ".join(row))

    for runner in runners:
        payload = all_results.get(runner, {})
        if "unavailable" in payload:
            print(f"{runner}: not available ({payload['unavailable']})")
        elif "error" in payload:
            print(f"{runner}: failed ({payload['error']})")
        for model, entry in payload.get("results", {}).items():
            if "error" in entry:
                print(f"{runner} / {model}: {entry['error']}")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default=",".join(MODELS),
                        help=f"comma-separated subset of: {', '.join(MODELS)}")
    parser.add_argument("--runners", default=",".join(RUNNERS),
                        help=f"comma-separated subset of: {', '.join(RUNNERS)}")
    parser.add_argument("--quick", action="store_true",
                        help="1/8 of the samples, 1 epoch, 1 repeat, 20 predict calls")
    parser.add_argument("--repeats", type=int, default=None, help="timed fits per model (3)")
    parser.add_argument("--predict-calls", type=int, default=None,
                        help="timed single-sample predict calls (200)")
    parser.add_argument("--timeout", type=int, default=1800, help="seconds per runner")
    parser.add_argument("--json", default=None, help="also write all results to this file")
    parser.add_argument("--worker", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.models = [m for m in args.models.split(",") if m]
    args.runners = [r for r in args.runners.split(",") if r]
    for m in args.models:
        if m not in MODELS:
            parser.error(f"unknown model {m!r}; choose from {', '.join(MODELS)}")
    for r in args.runners:
        if r not in RUNNERS:
            parser.error(f"unknown runner {r!r}; choose from {', '.join(RUNNERS)}")
    if args.repeats is None:
        args.repeats = 1 if args.quick else 3
    if args.predict_calls is None:
        args.predict_calls = 20 if args.quick else 200
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.worker:
        worker(args)
        return 0
    print(f"python {platform.python_version()} on {platform.machine()}, "
          f"{os.cpu_count()} CPUs; models: {', '.join(args.models)}; "
          f"repeats: {args.repeats}{' (quick)' if args.quick else ''}")
    for m in args.models:
        samples, epochs = sizes(m, args.quick)
        print(f"  {m}: {MODELS[m]['about']}, {samples} samples x {epochs} epochs per timed fit")
    all_results = {}
    for runner in args.runners:
        print(f"running {runner} ...", flush=True)
        all_results[runner] = spawn(runner, args)
        info = all_results[runner].get("info")
        if info:
            print(f"  {info['library']} {info['version']} ({info['backend']}), "
                  f"{all_results[runner].get('wall_s', 0):.0f}s", flush=True)
    print()
    print_tables(all_results, args.models, args.runners)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"args": {k: v for k, v in vars(args).items() if k != "worker"},
                       "results": all_results}, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
