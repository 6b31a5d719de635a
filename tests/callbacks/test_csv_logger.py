"""CSVLogger: the file parsed with the csv module equals History; append mode and header."""
import csv
import json

import pytest

from callback_test_helper import linear_data, linear_model
from keraslite.callbacks import CallbackList, CSVLogger


def _rows(path, delimiter=","):
    with open(path, newline="") as f:
        return list(csv.reader(f, delimiter=delimiter))


def test_file_matches_history(tmp_path):
    x, y = linear_data(16)
    model = linear_model(metrics=["mae"])
    path = tmp_path / "log.csv"
    history = model.fit(x, y, epochs=3, batch_size=8, verbose=0,
                        validation_data=(x[:8], y[:8]), callbacks=[CSVLogger(path)])
    rows = _rows(path)
    assert rows[0] == ["epoch", "loss", "mae", "val_loss", "val_mae"]
    assert len(rows) == 4
    for epoch, row in enumerate(rows[1:]):
        assert int(row[0]) == epoch
        for name, cell in zip(rows[0][1:], row[1:]):
            assert float(cell) == history.history[name][epoch]  # written at full precision
    assert path.read_bytes().count(b"\r\n") == 4  # csv's own line ends, as in Keras


def test_without_validation_val_columns_are_na(tmp_path):
    x, y = linear_data(16)
    model = linear_model()
    path = tmp_path / "log.csv"
    history = model.fit(x, y, epochs=2, batch_size=8, verbose=0, callbacks=[CSVLogger(path)])
    rows = _rows(path)
    assert rows[0] == ["epoch", "loss", "val_loss"]
    assert [r[2] for r in rows[1:]] == ["NA", "NA"]
    assert [float(r[1]) for r in rows[1:]] == history.history["loss"]


def test_append_does_not_repeat_the_header_and_overwrite_does(tmp_path):
    path = tmp_path / "sub" / "log.csv"
    for append in (False, True, True):
        logger = CSVLogger(path, separator=";", append=append)
        callbacks = CallbackList([logger])
        callbacks.on_train_begin()
        callbacks.on_epoch_end(0, {"loss": 0.5, "acc": 0.25})
        callbacks.on_train_end()
    rows = _rows(path, ";")
    assert rows == [["epoch", "acc", "loss", "val_acc", "val_loss"],
                    ["0", "0.25", "0.5", "NA", "NA"], ["0", "0.25", "0.5", "NA", "NA"],
                    ["0", "0.25", "0.5", "NA", "NA"]]
    logger = CSVLogger(path)  # append=False starts the file again
    logger.on_train_begin()
    logger.on_epoch_end(0, {"loss": 1.0})
    logger.on_train_end()
    assert _rows(path) == [["epoch", "loss", "val_loss"], ["0", "1.0", "NA"]]


def test_columns_are_fixed_at_the_first_epoch_and_arrays_are_written_as_lists(tmp_path):
    import numpy as np

    path = tmp_path / "log.csv"
    logger = CSVLogger(path)
    logger.on_train_begin()
    logger.on_epoch_end(0, {"loss": 1.0, "val_loss": 2.0, "per_class": np.array([0.5, 0.25])})
    logger.on_epoch_end(1, {"loss": 0.5, "extra": 3.0})
    logger.on_train_end()
    assert _rows(path) == [["epoch", "loss", "per_class", "val_loss"],
                           ["0", "1.0", "[0.5, 0.25]", "2.0"], ["1", "0.5", "NA", "NA"]]


def test_state_round_trip_keeps_columns_and_appends(tmp_path):
    path = tmp_path / "log.csv"
    logger = CSVLogger(path)
    logger.on_train_begin()
    logger.on_epoch_end(0, {"loss": 1.0, "val_loss": 2.0})
    logger.on_train_end()
    state = logger.get_state()
    assert json.loads(json.dumps(state)) == state == {"keys": ["loss", "val_loss"]}
    resumed = CSVLogger(path)
    resumed.set_state(state)
    resumed.on_train_begin()  # a resumed run appends under the same header
    resumed.on_epoch_end(1, {"val_loss": 1.5, "loss": 0.5, "new": 9.0})
    resumed.on_train_end()
    assert _rows(path) == [["epoch", "loss", "val_loss"], ["0", "1.0", "2.0"],
                           ["1", "0.5", "1.5"]]


def test_bad_input():
    with pytest.raises(ValueError, match=r"CSVLogger: `separator` must be a single character. "
                                         r"Received: separator='::'"):
        CSVLogger("log.csv", separator="::")
    with pytest.raises(TypeError, match=r"CSVLogger: `filename` must be a path.*Received: "
                                        r"filename=3"):
        CSVLogger(3)
