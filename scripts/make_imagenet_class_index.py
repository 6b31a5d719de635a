"""Writes keraslite/applications/data/imagenet_class_index.json, the ImageNet-1k class index
that ``decode_predictions`` reads: ``{"0": ["n01440764", "tench"], ...}``, 1000 entries, the
WordNet id and a short English name per class, in class order.

Source: the data files of the ``timm`` package on PyPI (``timm/data/_info/imagenet_synsets.txt``,
the 1000 synsets in class order, and ``imagenet_synset_to_lemma.txt``, WordNet's lemmas per
synset). timm is licensed under Apache-2.0; the lemmas themselves come from WordNet 3.0, whose
licence allows use, copying and redistribution. The short name is the first lemma with spaces
replaced by underscores, the convention of the class index Keras users know.

The wheel is read as a zip archive: timm (and the PyTorch it depends on) is neither imported nor
installed. Run it from the repository root:

    pip download timm==1.0.31 --no-deps -d /tmp/timm_wheel
    python scripts/make_imagenet_class_index.py /tmp/timm_wheel/timm-1.0.31-py3-none-any.whl

The output is written atomically and printed with its MD5, which should equal
``imagenet_utils.CLASS_INDEX_HASH`` (the checksum of the class index Keras downloads).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import tempfile
import zipfile

OUTPUT = os.path.join("keraslite", "applications", "data", "imagenet_class_index.json")
SYNSETS = "timm/data/_info/imagenet_synsets.txt"
LEMMAS = "timm/data/_info/imagenet_synset_to_lemma.txt"
# A wheel is a small archive; anything far bigger is not the file we mean to read.
MAX_WHEEL_BYTES = 64 << 20


def read_wheel(path: str) -> tuple[list[str], dict[str, str]]:
    """The 1000 synsets in class order and the lemma line of every synset, from timm's wheel."""
    if not os.path.isfile(path) or os.path.getsize(path) > MAX_WHEEL_BYTES:
        raise ValueError(f"{path!r} is not a timm wheel (a regular file under "
                         f"{MAX_WHEEL_BYTES} bytes)")
    with zipfile.ZipFile(path) as wheel:
        names = set(wheel.namelist())
        missing = [n for n in (SYNSETS, LEMMAS) if n not in names]
        if missing:
            raise ValueError(f"{path!r} lacks {missing}; expected a timm wheel that ships them")
        synsets = wheel.read(SYNSETS).decode("utf-8").split()
        lemmas = dict(line.split("\t", 1)
                      for line in wheel.read(LEMMAS).decode("utf-8").splitlines() if line)
    return synsets, lemmas


def class_index(synsets: list[str], lemmas: dict[str, str]) -> dict[str, list[str]]:
    if len(synsets) != 1000 or len(set(synsets)) != 1000:
        raise ValueError(f"expected 1000 distinct synsets, found {len(synsets)}")
    index = {}
    for i, wnid in enumerate(synsets):
        if wnid not in lemmas:
            raise ValueError(f"no lemma for synset {wnid} (class {i})")
        first = lemmas[wnid].split(",")[0].strip()
        index[str(i)] = [wnid, first.replace(" ", "_")]
    return index


def write_atomically(path: str, data: bytes) -> None:
    folder = os.path.dirname(path) or "."
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes it private; package data is world-readable
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("wheel", help="path to a timm wheel (pip download timm --no-deps)")
    parser.add_argument("--output", default=OUTPUT)
    args = parser.parse_args(argv)
    index = class_index(*read_wheel(args.wheel))
    # One line with json's default separators: the layout of the index Keras downloads, so
    # the two files can be compared by checksum.
    data = json.dumps(index).encode("utf-8")
    write_atomically(args.output, data)
    print(f"wrote {args.output}: {len(index)} classes, md5 {hashlib.md5(data).hexdigest()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
