"""Errors raised when a saved file cannot be trusted.

Both are ``ValueError`` subclasses, so code that already catches ``ValueError`` for bad input keeps
working; catch these to tell a damaged file apart from a refused one.
"""
from __future__ import annotations


class CorruptFileError(ValueError):
    """The file is damaged: a checksum does not match, it is truncated, or it is malformed.

    The message names the file and, where it applies, the tensor or archive entry at fault.
    """


class UnsafeFileError(ValueError):
    """The file is refused on safety grounds before anything is extracted or allocated.

    Examples: an archive entry whose name escapes its folder, a zip bomb, a header that declares
    sizes far beyond what the file holds. The message names the file and the reason.
    """
