"""Layers (Keras names): `from numkeras.layers import Dense, Dropout, ...`."""

from .activation import ELU as ELU
from .activation import Activation as Activation
from .activation import LeakyReLU as LeakyReLU
from .activation import ReLU as ReLU
from .activation import Softmax as Softmax
from .dense import Dense as Dense
from .dropout import Dropout as Dropout
from .input_layer import Input as Input
from .input_layer import InputLayer as InputLayer
from .layer import Layer as Layer
from .prelu import PReLU as PReLU
from .reshaping import Flatten as Flatten
from .reshaping import Reshape as Reshape

ALL_OBJECTS = {
    cls.__name__: cls
    for cls in (
        Activation,
        Dense,
        Dropout,
        ELU,
        Flatten,
        InputLayer,
        LeakyReLU,
        PReLU,
        ReLU,
        Reshape,
        Softmax,
    )
}
