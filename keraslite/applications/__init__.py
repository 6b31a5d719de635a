"""Prebuilt image models with Keras's names, arguments and weight layouts.

Example::

    model = keraslite.applications.VGG16(weights=None, include_top=False, pooling="avg",
                                         input_shape=(64, 64, 3))
    x = keraslite.applications.vgg16.preprocess_input(images)
"""
from keraslite.applications import (alexnet, densenet, efficientnet, imagenet_utils,
                                    inception_resnet_v2, inception_v3,
                                    mobilenet, mobilenet_v2, mobilenet_v3, resnet, resnet50,
                                    resnet_v2, vgg16, vgg19, xception)
from keraslite.applications.alexnet import AlexNet
from keraslite.applications.densenet import DenseNet121, DenseNet169, DenseNet201
from keraslite.applications.efficientnet import (EfficientNetB0, EfficientNetB1,
                                                 EfficientNetB2, EfficientNetB3,
                                                 EfficientNetB4, EfficientNetB5,
                                                 EfficientNetB6, EfficientNetB7)
from keraslite.applications.inception_resnet_v2 import InceptionResNetV2
from keraslite.applications.inception_v3 import InceptionV3
from keraslite.applications.mobilenet import MobileNet
from keraslite.applications.mobilenet_v2 import MobileNetV2
from keraslite.applications.mobilenet_v3 import MobileNetV3Large, MobileNetV3Small
from keraslite.applications.resnet import ResNet50, ResNet101, ResNet152
from keraslite.applications.resnet_v2 import ResNet50V2, ResNet101V2, ResNet152V2
from keraslite.applications.vgg16 import VGG16
from keraslite.applications.vgg19 import VGG19
from keraslite.applications.xception import Xception
from keraslite.applications import convnext, efficientnet_v2
from keraslite.applications import nasnet
from keraslite.applications.nasnet import NASNetLarge, NASNetMobile
from keraslite.applications.convnext import (ConvNeXtBase, ConvNeXtLarge, ConvNeXtSmall,
                                             ConvNeXtTiny, ConvNeXtXLarge)
from keraslite.applications.efficientnet_v2 import (EfficientNetV2B0, EfficientNetV2B1,
                                                    EfficientNetV2B2, EfficientNetV2B3,
                                                    EfficientNetV2L, EfficientNetV2M,
                                                    EfficientNetV2S)

__all__ = [
    "AlexNet", "DenseNet121", "DenseNet169", "DenseNet201", "InceptionV3", "MobileNet",
    "MobileNetV2", "MobileNetV3Large", "MobileNetV3Small", "ResNet50", "ResNet101", "ResNet152",
    "ResNet50V2", "ResNet101V2", "ResNet152V2", "VGG16", "VGG19", "Xception",
    "EfficientNetB0", "EfficientNetB1", "EfficientNetB2", "EfficientNetB3", "EfficientNetB4",
    "EfficientNetB5", "EfficientNetB6", "EfficientNetB7", "InceptionResNetV2",
    "efficientnet", "inception_resnet_v2",
    "alexnet", "densenet", "imagenet_utils", "inception_v3", "mobilenet", "mobilenet_v2",
    "mobilenet_v3", "resnet", "resnet50", "resnet_v2", "vgg16", "vgg19", "xception",
    "ConvNeXtBase", "ConvNeXtLarge", "ConvNeXtSmall", "ConvNeXtTiny", "ConvNeXtXLarge",
    "EfficientNetV2B0", "EfficientNetV2B1", "EfficientNetV2B2", "EfficientNetV2B3",
    "EfficientNetV2L", "EfficientNetV2M", "EfficientNetV2S", "convnext", "efficientnet_v2",
    "NASNetLarge", "NASNetMobile", "nasnet",
]
