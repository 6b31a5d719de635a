"""Drawing boxes and masks on images, and galleries of images (Keras's
``keras.visualization`` names; the galleries need matplotlib, box labels need Pillow)."""
from __future__ import annotations

from keraslite.visualization.bounding_boxes import draw_bounding_boxes  # noqa: F401
from keraslite.visualization.galleries import (  # noqa: F401
    plot_bounding_box_gallery, plot_image_gallery, plot_segmentation_mask_gallery,
)
from keraslite.visualization.segmentation_masks import draw_segmentation_masks  # noqa: F401

__all__ = ["draw_bounding_boxes", "draw_segmentation_masks", "plot_bounding_box_gallery",
           "plot_image_gallery", "plot_segmentation_mask_gallery"]
