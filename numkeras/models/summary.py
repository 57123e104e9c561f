"""model.summary(): Keras 3's table, drawn with the same box characters."""

import shutil


def format_bytes(n):
    """1024-based units with two decimals: 310.59 KB, 0.00 B."""
    units = ["B", "KB", "MB", "GB", "TB", "PB"]
    value = float(n)
    for unit in units:
        if value < 1024 or unit == units[-1]:
            return f"{value:.2f} {unit}"
        value /= 1024
    return f"{value:.2f} PB"  # unreachable; keeps linters calm


def format_shape(shape):
    if shape is None:
        return "?"
    return (
        "("
        + ", ".join("None" if d is None else str(d) for d in shape)
        + (",)" if len(shape) == 1 else ")")
    )


def _widths(line_length, positions):
    """Inner widths of the columns between the vertical borders, as Keras's
    rich table draws them (76 columns: 33, 24, 15)."""
    bounds = [int(line_length * p) for p in positions[:-1]]
    edges = [0] + bounds + [line_length]
    widths = [b - a - 2 for a, b in zip(edges[:-1], edges[1:], strict=True)]
    widths[0] += 1
    widths[-1] += 1
    return widths


def _row(cells, widths, align, edge):
    left, mid, right = edge
    parts = []
    for cell, width, how in zip(cells, widths, align, strict=True):
        parts.append(f"{f' {cell} ':{how}{width}}")
    return left + mid.join(parts) + right


def _rule(widths, chars):
    left, fill, mid, right = chars
    return left + mid.join(fill * w for w in widths) + right


def summary_text(model, line_length=None, positions=None, show_trainable=False):
    """The summary as one string (with a trailing newline)."""
    if line_length is None:
        line_length = min(88, shutil.get_terminal_size((80, 24)).columns - 4)
    positions = positions or [0.45, 0.80, 1.0]
    widths = _widths(line_length, positions)
    align = ["<", "<", ">"]
    lines = [f'Model: "{model.name}"']
    lines.append(_rule(widths, "┏━┳┓"))
    lines.append(
        _row(["Layer (type)", "Output Shape", "Param #"], widths, align, "┃┃┃")
    )
    lines.append(_rule(widths, "┡━╇┩"))
    rows = []
    shape = getattr(model, "input_shape", None) if model.built else None
    for layer in model.layers:
        if model.built:
            shape = layer.compute_output_shape(shape)
            params = f"{layer.count_params():,}"
        else:
            params = "0 (unbuilt)"
        rows.append(
            _row(
                [f"{layer.name} ({type(layer).__name__})", format_shape(shape), params],
                widths,
                align,
                "│││",
            )
        )
    lines.append(("\n" + _rule(widths, "├─┼┤") + "\n").join(rows) if rows else "")
    lines.append(_rule(widths, "└─┴┘"))
    if not rows:
        lines.pop(-2)
    trainable = sum(w.size for w in model.trainable_weights) if model.built else 0
    total = sum(w.size for w in model.weights) if model.built else 0
    itemsize = model.weights[0].dtype.itemsize if model.built and model.weights else 4
    opt_vars = _optimizer_param_count(model)
    lines.append(
        f" Total params: {total + opt_vars:,} "
        f"({format_bytes((total + opt_vars) * itemsize)})"
    )
    lines.append(
        f" Trainable params: {trainable:,} ({format_bytes(trainable * itemsize)})"
    )
    lines.append(
        f" Non-trainable params: {total - trainable:,} "
        f"({format_bytes((total - trainable) * itemsize)})"
    )
    if opt_vars:
        lines.append(
            f" Optimizer params: {opt_vars:,} ({format_bytes(opt_vars * itemsize)})"
        )
    return "\n".join(lines) + "\n"


def _optimizer_param_count(model):
    optimizer = getattr(model, "optimizer", None)
    if optimizer is None or not getattr(optimizer, "built", False):
        return 0
    return int(sum(getattr(v, "size", 1) for v in optimizer.variables))
