"""``keras.preprocessing`` names: ``sequence.pad_sequences``, the ``image`` helpers and the
dataset-from-files functions."""
from keraslite.preprocessing import image, sequence
from keraslite.utils.directory_datasets import (image_dataset_from_directory,
                                                text_dataset_from_directory)
from keraslite.utils.timeseries_utils import timeseries_dataset_from_array

__all__ = ["image", "image_dataset_from_directory", "sequence", "text_dataset_from_directory",
           "timeseries_dataset_from_array"]
