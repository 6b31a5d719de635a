"""FeatureSpace: Keras's one-stop preprocessing of a table of named features.

Each feature gets a preprocessor layer (Normalization, Rescaling, Discretization,
IntegerLookup, StringLookup, Hashing) that ``adapt`` fits on the data; categorical outputs are
one-hot encoded with CategoryEncoding; crosses hash pairs of preprocessed features together
(HashedCrossing). ``output_mode="concat"`` joins everything, sorted by feature name and then by
cross name as Keras does, into one float vector per row; ``"dict"`` returns each encoding.

Lookups on strings run on the host (docs/architecture.md, "String preprocessing"), so a
FeatureSpace is applied to raw data in the input pipeline (``feature_space(x)``, or
``ds.map(lambda x, y: (feature_space(x), y))``); ``get_encoded_features()`` is then the model's
input. keraslite graphs do not carry strings, so a model taking the raw dict is not supported.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from keraslite import backend, ops
from keraslite.layers.layer import Layer
from keraslite.layers.preprocessing.encoding import CategoryEncoding, Discretization
from keraslite.layers.preprocessing.lookup import _IndexLookup
from keraslite.layers.preprocessing.normalization import Normalization
from keraslite.utils import naming

_FEATURE_MODES = ("int", "one_hot", "float")
_CROSS_MODES = ("int", "one_hot")
_TYPES = ("float", "float_rescaled", "float_normalized", "float_discretized",
          "integer_categorical", "string_categorical", "integer_hashed", "string_hashed")


def _layers():
    """The layers package, where every preprocessor class is found by its Keras name."""
    from keraslite import layers
    return layers


def _hashing_layer(kind: str):
    layer = getattr(_layers(), kind, None)
    if layer is None:
        raise ValueError(f"FeatureSpace needs keraslite.layers.{kind} for hashed features and "
                         "crosses, which this installation lacks.")
    return layer


class Cross:
    """Features hashed together into ``crossing_dim`` buckets (``FeatureSpace.cross``)."""

    def __init__(self, feature_names: Iterable[str], crossing_dim: int,
                 output_mode: str = "one_hot"):
        if output_mode not in _CROSS_MODES:
            raise ValueError(f"Cross: output_mode must be one of {_CROSS_MODES}. Received: "
                             f"output_mode={output_mode!r}")
        self.feature_names = tuple(feature_names)
        if len(self.feature_names) < 2:
            raise ValueError("Cross: feature_names must name at least 2 features. Received: "
                             f"feature_names={self.feature_names!r}")
        self.crossing_dim = crossing_dim
        self.output_mode = output_mode

    @property
    def name(self) -> str:
        return "_X_".join(self.feature_names)

    def get_config(self) -> dict:
        return {"feature_names": self.feature_names, "crossing_dim": self.crossing_dim,
                "output_mode": self.output_mode}


class Feature:
    """One feature: its input dtype, its preprocessor layer and how its output is encoded."""

    def __init__(self, dtype: str, preprocessor: Layer, output_mode: str):
        if output_mode not in _FEATURE_MODES:
            raise ValueError(f"Feature: output_mode must be one of {_FEATURE_MODES}. Received: "
                             f"output_mode={output_mode!r}")
        self.dtype = dtype
        self.preprocessor = preprocessor
        self.output_mode = output_mode


def _auto(name: str | None, kind: str) -> str:
    return name or naming.unique_name(kind)


class FeatureSpace(Layer):
    """Preprocesses and encodes a dict of named features (a table's columns).

    Args:
        features: ``{name: type}``, the type a name from ``FeatureSpace``'s feature
            constructors (``"float_normalized"``, ``"string_categorical"``, ...) or a
            ``Feature`` they return.
        output_mode: ``"concat"`` (one float vector per row) or ``"dict"``.
        crosses: Tuples of feature names, or ``FeatureSpace.cross(...)`` objects.
        crossing_dim, hashing_dim, num_discretization_bins: Defaults for crosses, hashed
            features and discretized features named by string.

    Example::

        fs = FeatureSpace({"age": "float_normalized", "city": "string_categorical"})
        fs.adapt({"age": [20.0, 40.0], "city": ["Oslo", "Rome"]})
        fs({"age": [30.0], "city": ["Rome"]})   # (1, 1 + 3): normalized age, one-hot city
    """

    # -- feature constructors (Keras's names and arguments) ------------------------------------
    @classmethod
    def cross(cls, feature_names, crossing_dim, output_mode="one_hot") -> Cross:
        return Cross(feature_names, crossing_dim, output_mode=output_mode)

    @classmethod
    def feature(cls, dtype, preprocessor, output_mode) -> Feature:
        return Feature(dtype, preprocessor, output_mode)

    @classmethod
    def float(cls, name=None) -> Feature:
        name = _auto(name, "float")
        preprocessor = _layers().Identity(dtype="float32", name=f"{name}_preprocessor")
        return Feature("float32", preprocessor, "float")

    @classmethod
    def float_rescaled(cls, scale=1.0, offset=0.0, name=None) -> Feature:
        name = _auto(name, "float_rescaled")
        preprocessor = _layers().Rescaling(scale=scale, offset=offset,
                                           name=f"{name}_preprocessor")
        return Feature("float32", preprocessor, "float")

    @classmethod
    def float_normalized(cls, name=None) -> Feature:
        name = _auto(name, "float_normalized")
        preprocessor = _layers().Normalization(axis=-1, name=f"{name}_preprocessor")
        return Feature("float32", preprocessor, "float")

    @classmethod
    def float_discretized(cls, num_bins, bin_boundaries=None, output_mode="one_hot",
                          name=None) -> Feature:
        name = _auto(name, "float_discretized")
        preprocessor = _layers().Discretization(num_bins=num_bins, bin_boundaries=bin_boundaries,
                                                name=f"{name}_preprocessor")
        return Feature("float32", preprocessor, output_mode)

    @classmethod
    def integer_categorical(cls, max_tokens=None, num_oov_indices=1, output_mode="one_hot",
                            name=None) -> Feature:
        name = _auto(name, "integer_categorical")
        preprocessor = _layers().IntegerLookup(max_tokens=max_tokens,
                                               num_oov_indices=num_oov_indices,
                                               name=f"{name}_preprocessor")
        return Feature("int32", preprocessor, output_mode)

    @classmethod
    def string_categorical(cls, max_tokens=None, num_oov_indices=1, output_mode="one_hot",
                           name=None) -> Feature:
        name = _auto(name, "string_categorical")
        preprocessor = _layers().StringLookup(max_tokens=max_tokens,
                                              num_oov_indices=num_oov_indices,
                                              name=f"{name}_preprocessor")
        return Feature("string", preprocessor, output_mode)

    @classmethod
    def string_hashed(cls, num_bins, output_mode="one_hot", name=None) -> Feature:
        name = _auto(name, "string_hashed")
        preprocessor = _hashing_layer("Hashing")(num_bins=num_bins,
                                                 name=f"{name}_preprocessor")
        return Feature("string", preprocessor, output_mode)

    @classmethod
    def integer_hashed(cls, num_bins, output_mode="one_hot", name=None) -> Feature:
        name = _auto(name, "integer_hashed")
        preprocessor = _hashing_layer("Hashing")(num_bins=num_bins,
                                                 name=f"{name}_preprocessor")
        return Feature("int32", preprocessor, output_mode)

    # -- construction ---------------------------------------------------------------------------
    def __init__(self, features: Mapping[str, Any], output_mode: str = "concat",
                 crosses: Iterable | None = None, crossing_dim: int = 32, hashing_dim: int = 32,
                 num_discretization_bins: int = 32, name: str | None = None):
        super().__init__(name=name)
        if not isinstance(features, Mapping) or not features:
            raise ValueError("FeatureSpace: features must be a non-empty dict of feature name "
                             f"-> type. Received: features={features!r}")
        if output_mode not in ("concat", "dict"):
            raise ValueError("FeatureSpace: output_mode must be 'concat' or 'dict'. Received: "
                             f"output_mode={output_mode!r}")
        self.output_mode = output_mode
        self.crossing_dim = crossing_dim
        self.hashing_dim = hashing_dim
        self.num_discretization_bins = num_discretization_bins
        self.features = {key: self._standardize(key, value) for key, value in features.items()}
        self.crosses = [self._standardize_cross(c) for c in (crosses or ())]
        self.crosses_by_name = {c.name: c for c in self.crosses}
        self.preprocessors = {key: f.preprocessor for key, f in self.features.items()}
        self.crossers = {c.name: _hashing_layer("HashedCrossing")(c.crossing_dim, name=c.name)
                         for c in self.crosses}
        self.one_hot_encoders: dict[str, Layer] = {}
        self._is_adapted = not self._adaptable()
        self._inputs = None
        self._encoded = None

    def _standardize(self, key, value) -> Feature:
        if isinstance(value, Feature):
            return value
        if value not in _TYPES:
            raise ValueError(f"FeatureSpace: feature {key!r} has an unknown type {value!r}; "
                             f"expected a Feature or one of {_TYPES}.")
        if value == "float_discretized":
            return self.float_discretized(self.num_discretization_bins, name=key)
        if value in ("integer_hashed", "string_hashed"):
            return getattr(self, value)(self.hashing_dim, name=key)
        return getattr(self, value)(name=key)

    def _standardize_cross(self, cross) -> Cross:
        if not isinstance(cross, Cross):
            if not self.crossing_dim:
                raise ValueError("FeatureSpace: crosses given as names need crossing_dim. "
                                 f"Received: crossing_dim={self.crossing_dim!r}")
            cross = Cross(cross, crossing_dim=self.crossing_dim)
        unknown = [n for n in cross.feature_names if n not in self.features]
        if unknown:
            raise ValueError(f"FeatureSpace: cross {cross.feature_names!r} names features that "
                             f"are not in `features`: {unknown}")
        return cross

    def _adaptable(self) -> list[str]:
        """Names of the features whose preprocessor still has to learn from data."""
        out = []
        for key, layer in self.preprocessors.items():
            if isinstance(layer, Normalization):
                if layer.input_mean is not None:
                    continue
            elif isinstance(layer, Discretization):
                if layer.bin_boundaries is not None:
                    continue
            elif isinstance(layer, _IndexLookup):
                if layer.vocabulary_size() > layer._reserved():
                    continue
            if hasattr(layer, "adapt"):
                out.append(key)
        return out

    # -- adapt ----------------------------------------------------------------------------------
    def adapt(self, dataset) -> None:
        """Fits the preprocessors on ``dataset``: a dict of arrays or lists (one row per entry),
        or an iterable of such dicts (batches or single rows, e.g. a ``tf.data.Dataset``)."""
        columns = self._collect(dataset)
        for key in self._adaptable():
            self.preprocessors[key].adapt(columns[key])
        self._is_adapted = True

    def _collect(self, dataset) -> dict[str, np.ndarray]:
        """Every feature of ``dataset`` as one ``(rows, 1)`` NumPy column."""
        if isinstance(dataset, Mapping):
            batches = [dataset]
        elif isinstance(dataset, Iterable) and not isinstance(dataset, (str, bytes, np.ndarray)):
            batches = dataset
        else:
            raise ValueError("FeatureSpace.adapt() takes a dict of arrays/lists or a dataset "
                             f"of dicts. Received: {type(dataset).__name__}")
        parts: dict[str, list] = {key: [] for key in self.features}
        for batch in batches:
            if not isinstance(batch, Mapping):
                raise ValueError("FeatureSpace.adapt(): each element of the dataset must be a "
                                 f"dict of features. Received: {type(batch).__name__}")
            for key in self.features:
                if key not in batch:
                    raise ValueError(f"FeatureSpace.adapt(): feature {key!r} is missing from "
                                     f"the data, which has {sorted(batch)}.")
                parts[key].append(self._column(key, batch[key]))
        if not any(parts.values()):
            raise ValueError("FeatureSpace.adapt() received no data.")
        return {key: np.concatenate(p) for key, p in parts.items()}

    def _column(self, key, values) -> np.ndarray:
        """One feature's values as a ``(rows, 1)`` array of its dtype."""
        array = backend.convert_to_numpy(values) if backend.is_tensor(values) else values
        array = np.asarray(array)
        if array.ndim > 2 or (array.ndim == 2 and array.shape[1] != 1):
            raise ValueError(f"FeatureSpace: feature {key!r} must hold one value per row (shape "
                             f"(rows,) or (rows, 1)). Received shape {array.shape}.")
        array = array.reshape(-1, 1)
        dtype = self.features[key].dtype
        if dtype == "string":
            return array if array.dtype.kind in "USO" else array.astype(str)
        try:
            return array.astype(dtype)
        except (TypeError, ValueError):
            raise ValueError(f"FeatureSpace: feature {key!r} expects {dtype} values. Received "
                             f"an array of {array.dtype}.") from None

    # -- calling --------------------------------------------------------------------------------
    def _check_adapted(self) -> None:
        if not self._is_adapted:
            raise ValueError("You need to call `.adapt(dataset)` on the FeatureSpace before "
                             "you can use it (features to adapt: "
                             f"{sorted(self._adaptable())}).")

    def _cardinality(self, key) -> int:
        layer = self.preprocessors.get(key) or self.crossers.get(key)
        if isinstance(layer, _IndexLookup):
            return int(layer.vocabulary_size())
        if isinstance(layer, Discretization):
            return len(layer.bin_boundaries) + 1
        if isinstance(layer, CategoryEncoding):
            return int(layer.num_tokens)
        if getattr(layer, "num_bins", None):  # Hashing, HashedCrossing
            return int(layer.num_bins)
        raise ValueError(f"FeatureSpace: feature {key!r} has output_mode='one_hot' but its "
                         "preprocessor's number of categories is unknown; use "
                         "output_mode='int'.")

    def _specs(self) -> list[tuple[str, Any]]:
        """(name, Feature or Cross) in output order: features, then crosses, each sorted."""
        return ([(k, self.features[k]) for k in sorted(self.features)]
                + [(k, self.crosses_by_name[k]) for k in sorted(self.crosses_by_name)])

    def _encode(self, key, spec, value):
        if spec.output_mode != "one_hot":
            return ops.cast(value, "float32") if spec.output_mode == "float" else value
        encoder = self.one_hot_encoders.get(key)
        if encoder is None:
            encoder = _layers().CategoryEncoding(num_tokens=self._cardinality(key),
                                                 output_mode="multi_hot")
            self.one_hot_encoders[key] = encoder
        return encoder(value)

    def __call__(self, data: Mapping[str, Any]):
        """Encodes a dict of features (one value per row, or a single row of scalars)."""
        self._check_adapted()
        if not isinstance(data, Mapping):
            raise ValueError("A FeatureSpace can only be called with a dict of features. "
                             f"Received: {type(data).__name__}")
        missing = [key for key in self.features if key not in data]
        if missing:
            raise ValueError(f"FeatureSpace: the data lacks features {missing}; it has "
                             f"{sorted(data)}.")
        single_row = all(np.ndim(data[key]) == 0 for key in self.features)
        processed = {}
        for key, feature in self.features.items():
            column = self._column(key, data[key])
            if feature.dtype == "float32":
                column = ops.convert_to_tensor(column)
            processed[key] = self.preprocessors[key](column)
        crossed = {cross.name: self.crossers[cross.name](
            [processed[n] for n in cross.feature_names]) for cross in self.crosses}
        outputs = {}
        for key, spec in self._specs():
            value = processed[key] if key in processed else crossed[key]
            outputs[key] = self._encode(key, spec, value)
        if self.output_mode == "concat":
            for key, spec in self._specs():
                if spec.output_mode == "int":
                    raise ValueError(f"Cannot concatenate features because feature {key!r} is "
                                     "not encoded (output_mode='int'). Use output_mode='dict'.")
            merged = ops.concatenate([ops.cast(outputs[k], "float32") for k, _ in self._specs()],
                                     axis=-1)
            return merged[0] if single_row else merged
        if single_row:
            return {key: value[0] for key, value in outputs.items()}
        return outputs

    # -- functional API -------------------------------------------------------------------------
    def _widths(self) -> dict[str, int]:
        return {key: self._cardinality(key) if spec.output_mode == "one_hot" else 1
                for key, spec in self._specs()}

    def get_inputs(self) -> dict:
        """``{name: Input((1,))}`` for each feature, as in Keras. keraslite graphs carry no
        strings: a string feature raises, and raw data goes through ``feature_space(x)``."""
        self._check_adapted()
        strings = sorted(k for k, f in self.features.items() if f.dtype == "string")
        if strings:
            raise ValueError(f"FeatureSpace.get_inputs(): features {strings} are strings, which "
                             "keraslite models cannot take as inputs. Encode the data with "
                             "feature_space(x) in the input pipeline and build the model on "
                             "get_encoded_features().")
        if self._inputs is None:
            self._inputs = {key: _layers().Input(shape=(1,), dtype=f.dtype, name=key)
                            for key, f in self.features.items()}
        return self._inputs

    def get_encoded_features(self):
        """The model input that ``feature_space(x)`` feeds: one ``Input`` of the concatenated
        width (concat mode) or one per feature and cross (dict mode)."""
        self._check_adapted()
        if self._encoded is None:
            widths = self._widths()
            layers = _layers()
            if self.output_mode == "concat":
                self._encoded = layers.Input(shape=(sum(widths.values()),),
                                             name="encoded_features")
            else:
                self._encoded = {
                    key: layers.Input(shape=(widths[key],), name=key,
                                      dtype="int32" if spec.output_mode == "int" else "float32")
                    for key, spec in self._specs()}
        return self._encoded

    def get_config(self) -> dict:
        return {"name": self.name, "output_mode": self.output_mode,
                "crossing_dim": self.crossing_dim, "hashing_dim": self.hashing_dim,
                "num_discretization_bins": self.num_discretization_bins,
                "features": {k: {"dtype": f.dtype, "output_mode": f.output_mode,
                                 "preprocessor": type(f.preprocessor).__name__}
                             for k, f in self.features.items()},
                "crosses": [c.get_config() for c in self.crosses]}
