"""Data-parallel training across two processes on one machine, over loopback.

``keraslite.distribution.initialize`` joins the processes into one job and ``DataParallel``
trains one model on batches split over every device of every process. On JAX each process is a
"host" with two simulated CPU devices (four in all, ``jax.distributed``); on TensorFlow each is
a worker of a ``MultiWorkerMirroredStrategy``. Both processes end with identical weights, equal
to training on one device.

    python examples/distributed_data_parallel.py                        # JAX, both processes
    python examples/distributed_data_parallel.py --backend tensorflow
    python examples/distributed_data_parallel.py --quick                # fewer samples (tests)

On real hosts run the same worker on each machine with ``--worker --process-id i
--num-processes n --addresses host0:port,host1:port`` (and without simulated devices).
"""
from __future__ import annotations

import argparse
import hashlib
import os
import socket
import subprocess
import sys

DEVICES_PER_PROCESS = 2


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _data(samples: int):
    import numpy as np
    from sklearn.datasets import load_digits

    digits = load_digits()
    x = (digits.data[:samples] / 16.0).astype("float32")
    return x, digits.target[:samples].astype("int32")


def _train(samples: int, distributed: bool):
    import keraslite
    from keraslite import distribution as dist

    x, y = _data(samples)
    strategy = dist.DataParallel() if distributed else None
    if strategy is not None:
        dist.set_distribution(strategy)
    keraslite.utils.set_random_seed(7)
    model = keraslite.Sequential([keraslite.Input((64,)),
                                  keraslite.layers.Dense(32, activation="relu"),
                                  keraslite.layers.Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    history = model.fit(x, y, batch_size=32, epochs=3, shuffle=False, verbose=0)
    return model, history


def worker(args) -> None:
    os.environ.setdefault("XLA_FLAGS",
                          f"--xla_force_host_platform_device_count={DEVICES_PER_PROCESS}")
    from keraslite import distribution as dist

    dist.initialize(args.addresses, args.num_processes, args.process_id)
    model, history = _train(args.samples, distributed=True)
    digest = hashlib.sha256(b"".join(w.tobytes() for w in model.get_weights())).hexdigest()
    if args.out:
        import numpy as np

        np.savez(os.path.join(args.out, f"weights_{args.process_id}.npz"), *model.get_weights())
    print(f"process {args.process_id}: devices={len(dist.list_devices())} "
          f"accuracy={history.history['accuracy'][-1]:.4f} weights_sha256={digest}", flush=True)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--worker", action="store_true")
    parser.add_argument("--process-id", type=int, default=0)
    parser.add_argument("--num-processes", type=int, default=2)
    parser.add_argument("--addresses", default=None, help="host:port of every process")
    parser.add_argument("--backend", default="jax", choices=("jax", "tensorflow"))
    parser.add_argument("--samples", type=int, default=None)
    parser.add_argument("--out", default=None, help="folder for each process's weights (.npz)")
    args = parser.parse_args(argv)
    args.samples = args.samples or (256 if args.quick else 1792)
    if args.worker:
        worker(args)
        return 0
    addresses = ",".join(f"127.0.0.1:{_free_port()}" for _ in range(args.num_processes))
    env = dict(os.environ, KERASLITE_BACKEND=args.backend)
    procs = [subprocess.Popen(
        [sys.executable, __file__, "--worker", "--process-id", str(i), "--num-processes",
         str(args.num_processes), "--addresses", addresses, "--samples", str(args.samples)]
        + (["--out", args.out] if args.out else []),
        env=env, stdout=subprocess.PIPE, text=True) for i in range(args.num_processes)]
    lines = []
    for proc in procs:
        out, _ = proc.communicate(timeout=600)
        lines += [line for line in out.splitlines() if line.startswith("process ")]
        if proc.returncode:
            print(out)
            return proc.returncode
    print("\n".join(lines))
    digests = {line.rsplit("=", 1)[-1] for line in lines}
    print("identical weights in every process:", len(digests) == 1)
    return 0 if len(digests) == 1 else 1


if __name__ == "__main__":
    sys.exit(main())
