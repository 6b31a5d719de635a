"""StateHolder: where variables' live values sit while a compiled loop owns them.

During ``fit`` the compiled step consumes and returns the whole state (donated on JAX), so the
Python ``Variable`` objects cannot keep their own arrays current without a copy per step.
Instead each variable points at the holder; reading it (a callback, the user) returns the
latest value, and assigning it (e.g. a new learning rate) replaces the value the next compiled
call receives. ``release`` writes everything back when the loop ends.
"""
from __future__ import annotations

from keraslite.backends import compile as B_compile


class StateHolder:
    def __init__(self, groups):
        self.groups = [list(g) for g in groups]
        self.values = []
        for gi, group in enumerate(self.groups):
            values = []
            for vi, var in enumerate(group):
                values.append(var._stored_value())
                var._holder = (self, (gi, vi))
            self.values.append(values)
        if B_compile.DONATES_STATE:
            flat = B_compile.unique_buffers([v for group in self.values for v in group])
            it = iter(flat)
            self.values = [[next(it) for _ in group] for group in self.values]

    def read(self, index):
        gi, vi = index
        return B_compile.snapshot(self.values[gi][vi])

    def write(self, index, value):
        gi, vi = index
        self.values[gi][vi] = value

    def release(self):
        """Writes the live values back into the variables and detaches them."""
        for group, values in zip(self.groups, self.values):
            for var, value in zip(group, values):
                var._holder = None
                var._value = value
        self.groups = []


class HeldState:
    """Context manager: variables held by a StateHolder for the duration of a loop."""

    def __init__(self, groups):
        self.groups = groups

    def __enter__(self):
        self.holder = StateHolder(self.groups)
        return self.holder

    def __exit__(self, *exc):
        self.holder.release()
