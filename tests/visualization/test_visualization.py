"""keraslite.visualization: masks against Keras 3, boxes against NumPy pixel checks and Keras's
box-format conversion, galleries rendered to PNG files."""
import os

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

from keraslite import visualization  # noqa: E402
from keraslite.visualization.bounding_boxes import to_xyxy  # noqa: E402

RNG = np.random.default_rng(0)
IMAGES = RNG.integers(0, 256, size=(2, 12, 16, 3)).astype("float32")
MASKS = RNG.integers(-1, 4, size=(2, 12, 16, 1)).astype("int32")
COLORS = {0: (255, 0, 0), 1: (0, 255, 0), 2: (0, 0, 255), 3: (255, 255, 0)}


@pytest.fixture(scope="module")
def keras():
    os.environ.setdefault("KERAS_BACKEND", "jax")
    return pytest.importorskip("keras")


@pytest.mark.parametrize("blend,alpha", [(True, 0.8), (True, 0.3), (False, 0.8)])
def test_segmentation_masks_match_keras(keras, blend, alpha):
    args = dict(num_classes=4, color_mapping=COLORS, alpha=alpha, blend=blend)
    ours = visualization.draw_segmentation_masks(IMAGES, MASKS, **args)
    theirs = keras.ops.convert_to_numpy(
        keras.visualization.draw_segmentation_masks(IMAGES, MASKS, **args))
    np.testing.assert_allclose(ours.astype("float32"), theirs.astype("float32"), atol=1.0)
    channels_first = visualization.draw_segmentation_masks(
        IMAGES.transpose(0, 3, 1, 2), MASKS.transpose(0, 3, 1, 2), data_format="channels_first",
        **args)
    np.testing.assert_array_equal(channels_first, ours)


def test_segmentation_mask_errors_are_named():
    with pytest.raises(TypeError, match="must hold integers"):
        visualization.draw_segmentation_masks(IMAGES, MASKS.astype("float32"))
    with pytest.raises(ValueError, match="no color for classes \\[3\\]"):
        visualization.draw_segmentation_masks(IMAGES, MASKS, num_classes=4,
                                              color_mapping={0: (1, 1, 1), 1: (1, 1, 1),
                                                             2: (1, 1, 1)})
    with pytest.raises(ValueError, match="`images` must be a batch"):
        visualization.draw_segmentation_masks(IMAGES[0], MASKS)


@pytest.mark.parametrize("fmt", ["yxyx", "xywh", "center_xywh", "center_yxhw", "rel_xyxy",
                                 "rel_yxyx", "rel_center_xywh"])
def test_box_formats_match_keras_conversion(keras, fmt):
    boxes = np.array([[[2.0, 3.0, 10.0, 9.0], [0.0, 1.0, 4.0, 5.0]]], "float32")
    if fmt.startswith("rel_"):
        boxes = boxes / 16.0
    theirs = keras.ops.convert_to_numpy(keras.utils.bounding_boxes.convert_format(
        boxes, source=fmt, target="xyxy", height=12, width=16))
    np.testing.assert_allclose(to_xyxy(boxes, fmt, 12, 16), theirs, rtol=1e-5, atol=1e-4)


def test_boxes_are_outlined_and_padding_is_skipped():
    images = np.zeros((1, 12, 16, 3), "float32")
    boxes = {"boxes": np.array([[[2, 3, 10, 9], [0, 0, 15, 11]]], "float32"),
             "labels": np.array([[1, -1]])}
    out = visualization.draw_bounding_boxes(images, boxes, "xyxy", color=(255, 0, 0),
                                            line_thickness=1)
    assert out.dtype == np.uint8 and out.shape == images.shape
    painted = out[0, :, :, 0] == 255
    expected = np.zeros((12, 16), bool)
    expected[3, 2:11] = expected[9, 2:11] = True
    expected[3:10, 2] = expected[3:10, 10] = True
    np.testing.assert_array_equal(painted, expected)  # the -1 box is not drawn
    same = visualization.draw_bounding_boxes(
        images, {"boxes": np.array([[[6, 6, 8, 6]]], "float32"), "labels": np.array([[1]])},
        "center_xywh", color=(255, 0, 0), line_thickness=1)
    np.testing.assert_array_equal(same[0, :, :, 0] == 255, expected)
    labelled = visualization.draw_bounding_boxes(images, boxes, "xyxy", class_mapping={1: "cat"},
                                                 color=(255, 0, 0), line_thickness=1)
    assert labelled.shape == out.shape


def test_box_errors_are_named():
    boxes = {"boxes": np.zeros((2, 1, 4)), "labels": np.zeros((2, 1))}
    with pytest.raises(ValueError, match="bounding_box_format must be one of"):
        visualization.draw_bounding_boxes(IMAGES, boxes, "xxyy")
    with pytest.raises(ValueError, match="lacks \\['labels'\\]"):
        visualization.draw_bounding_boxes(IMAGES, {"boxes": boxes["boxes"]}, "xyxy")
    with pytest.raises(ValueError, match="expected boxes"):
        visualization.draw_bounding_boxes(IMAGES, {"boxes": np.zeros((3, 1, 4)),
                                                   "labels": np.zeros((3, 1))}, "xyxy")


def _png(path):
    with open(path, "rb") as handle:
        assert handle.read(8) == b"\x89PNG\r\n\x1a\n"
    return matplotlib.image.imread(path)


def test_galleries_render_to_files(tmp_path):
    assert visualization.plot_image_gallery(IMAGES, y_true=np.array([3, 1]),
                                            y_pred=np.array([[0.1, 0.9], [0.8, 0.2]]),
                                            label_map={1: "one", 3: "three"},
                                            path=tmp_path / "images.png") is None
    picture = _png(tmp_path / "images.png")
    assert picture.shape[0] > 20 and picture.shape[1] > 20 and picture[..., :3].std() > 0
    boxes = {"boxes": np.array([[[2, 3, 10, 9]], [[1, 1, 5, 5]]], "float32"),
             "labels": np.array([[0], [1]])}
    visualization.plot_bounding_box_gallery(IMAGES, "xyxy", y_true=boxes, y_pred=boxes,
                                            legend=True, path=tmp_path / "boxes.png")
    _png(tmp_path / "boxes.png")
    visualization.plot_segmentation_mask_gallery(IMAGES, num_classes=4, y_true=MASKS,
                                                 y_pred=MASKS, path=tmp_path / "masks.png")
    _png(tmp_path / "masks.png")
    figure = visualization.plot_image_gallery(IMAGES[..., :1] / 255.0, value_range=(0, 1),
                                              rows=1, cols=3)
    assert len(figure.axes) == 3
    matplotlib.pyplot.close(figure)
    with pytest.raises(ValueError, match="value_range"):
        visualization.plot_image_gallery(IMAGES, value_range=(1, 0))
