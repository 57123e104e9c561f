"""numkeras: the Keras API on NumPy, with every backward pass written out."""

__version__ = "0.1.0"
