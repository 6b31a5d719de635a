"""``keraslite.ops.image``: resizing, cropping, color, filters, patches and warps of images.

Images are ``(height, width, channels)`` or batches of them (``channels_first`` with
``data_format``, default ``keraslite.config.image_data_format()``). Int images compute in floatx.
"""
from keraslite.ops.image.color import *  # noqa: F401,F403
from keraslite.ops.image.filters import *  # noqa: F401,F403
from keraslite.ops.image.patches import *  # noqa: F401,F403
from keraslite.ops.image.resizing import *  # noqa: F401,F403
from keraslite.ops.image.sampling import *  # noqa: F401,F403
from keraslite.ops.image.warps import *  # noqa: F401,F403
from keraslite.ops.image import color, filters, patches, resizing, sampling, warps

__all__ = sorted(set(color.__all__) | set(filters.__all__) | set(patches.__all__)
                 | set(resizing.__all__) | set(sampling.__all__) | set(warps.__all__))
