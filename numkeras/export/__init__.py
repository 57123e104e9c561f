"""Export a numkeras model to other formats.

`to_onnx(model, path)` writes an ONNX file (needs the `onnx` package:
`pip install numkeras[onnx]`).
"""

from .onnx import to_onnx as to_onnx
