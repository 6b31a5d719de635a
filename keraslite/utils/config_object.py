"""``keraslite.utils.Config``: a dict whose keys are also attributes, which can be frozen."""
from __future__ import annotations

import json
from typing import Any


class Config(dict):
    """A settings object: ``config.lr`` and ``config["lr"]`` are the same entry; after
    ``freeze()`` any change raises ValueError until ``unfreeze()``.

    Example::

        config = Config(learning_rate=1e-3, epochs=5)
        config.batch_size = 32
        config.freeze()
    """

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        object.__setattr__(self, "_frozen", False)

    @property
    def frozen(self) -> bool:
        return self._frozen

    def freeze(self) -> None:
        object.__setattr__(self, "_frozen", True)

    def unfreeze(self) -> None:
        object.__setattr__(self, "_frozen", False)

    def _check_mutable(self) -> None:
        if self._frozen:
            raise ValueError("Cannot mutate attribute(s) because the config is frozen "
                             "(call unfreeze() first).")

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(f"Config has no entry {name!r}. Entries: "
                                 f"{sorted(self)}") from None

    def __setattr__(self, name: str, value: Any) -> None:
        self._check_mutable()
        self[name] = value

    def __delattr__(self, name: str) -> None:
        self._check_mutable()
        del self[name]

    def __setitem__(self, key: str, value: Any) -> None:
        self._check_mutable()
        super().__setitem__(key, value)

    def __delitem__(self, key: str) -> None:
        self._check_mutable()
        super().__delitem__(key)

    def update(self, *args, **kwargs) -> None:
        self._check_mutable()
        super().update(*args, **kwargs)

    def pop(self, *args) -> Any:
        self._check_mutable()
        return super().pop(*args)

    def setdefault(self, key: str, default: Any = None) -> Any:
        self._check_mutable()
        return super().setdefault(key, default)

    def clear(self) -> None:
        self._check_mutable()
        super().clear()

    def popitem(self):
        self._check_mutable()
        return super().popitem()

    def as_dict(self) -> dict:
        return dict(self)

    def to_json(self) -> str:
        return json.dumps(dict(self))
