"""Pictures of training: curves, activations, gradient flow, optimizer races.

matplotlib is an optional extra (`pip install 'numkeras[plot]'`); it is
imported only when a plot is drawn, and a clear ImportError says how to get
it. Every function draws one matplotlib Figure, writes it as a PNG when given
`path` (at `dpi`, so a figsize of (10, 4) inches at dpi 100 gives a 1000 x 400
image), and returns the figure (close it with `matplotlib.pyplot.close(fig)`
when drawing many).

    plot_history(history)              loss/metrics, train vs validation,
                                       the early-stopping epoch marked
    plot_comparison(histories)         several runs' curves on one plot
    plot_optimizer_comparison(hists)   the same, titled for an optimizer race
    plot_activations()                 each activation and its derivative
    plot_gradients(monitor)            gradient norms per layer (GradientMonitor)
"""

import math

import numpy as np

DPI = 100

# The activations drawn by plot_activations (all elementwise).
ACTIVATION_NAMES = (
    "relu",
    "leaky_relu",
    "elu",
    "selu",
    "gelu",
    "silu",
    "sigmoid",
    "tanh",
    "softplus",
    "softsign",
    "hard_sigmoid",
    "relu6",
)


def require_matplotlib():
    """Import and return matplotlib.pyplot, or explain how to install it.

    The backend is left to matplotlib (Agg when there is no display, the
    inline one in notebooks; set MPLBACKEND=Agg to force files only).
    """
    try:
        import matplotlib.pyplot as plt
    except ImportError:
        raise ImportError(
            "Plotting needs matplotlib, which is an optional extra of numkeras. "
            "Install it with: pip install 'numkeras[plot]'  (or pip install "
            "matplotlib)."
        ) from None
    return plt


def _finish(fig, path, title):
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    if path is not None:
        fig.savefig(path, dpi=DPI)
    return fig


def _integer_epochs(ax):
    """Whole-number ticks on an epoch axis."""
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))


def _logs_of(history):
    """(epoch numbers starting at 1, {key: list of values}) of a History or dict."""
    logs = history.history if hasattr(history, "history") else dict(history)
    n = max((len(v) for v in logs.values()), default=0)
    epochs = list(getattr(history, "epoch", None) or range(n))
    return [e + 1 for e in epochs], logs


# ---------------------------------------------------------------- histories
def plot_history(
    history,
    path=None,
    early_stopping=None,
    stopped_epoch=None,
    best_epoch=None,
    metrics=None,
    title=None,
):
    """Loss and each metric per epoch, training vs validation, one panel each.

    Args:
        history: the History returned by `fit` (or its `.history` dict).
        path: PNG file to write (optional).
        early_stopping: the EarlyStopping callback used in `fit`; its
            `stopped_epoch` and `best_epoch` (0-based) are marked.
        stopped_epoch, best_epoch: the same marks given by hand (0-based).
        metrics: the keys to draw (default: loss first, then every metric
            without its "val_" twin; "learning_rate" is left out).
        title: figure title.

    Returns the matplotlib Figure (one panel of 5 x 4 inches per key).
    """
    plt = require_matplotlib()
    epochs, logs = _logs_of(history)
    if early_stopping is not None:
        stopped = getattr(early_stopping, "stopped_epoch", 0)
        stopped_epoch = stopped if stopped else stopped_epoch
        best = getattr(early_stopping, "best_epoch", None)
        best_epoch = best if best is not None else best_epoch
    if metrics is None:
        metrics = [k for k in logs if not k.startswith("val_") and k != "learning_rate"]
        metrics.sort(key=lambda k: (k != "loss", k))
    n = max(len(metrics), 1)
    fig, axes = plt.subplots(1, n, figsize=(5 * n, 4), squeeze=False)
    for ax, name in zip(axes[0], metrics, strict=False):
        ax.plot(epochs, logs[name], marker=".", label=f"training {name}")
        if "val_" + name in logs:
            ax.plot(epochs, logs["val_" + name], marker=".", label=f"validation {name}")
        if best_epoch is not None:
            ax.axvline(
                best_epoch + 1,
                color="tab:green",
                linestyle=":",
                label=f"best epoch ({best_epoch + 1})",
            )
        if stopped_epoch:
            ax.axvline(
                stopped_epoch + 1,
                color="grey",
                linestyle="--",
                label=f"early stop (epoch {stopped_epoch + 1})",
            )
        ax.set_xlabel("epoch")
        _integer_epochs(ax)
        ax.set_ylabel(name)
        ax.grid(alpha=0.3)
        ax.legend()
    return _finish(fig, path, title)


def plot_comparison(
    histories,
    keys=("loss",),
    path=None,
    validation=True,
    log_scale=False,
    title=None,
):
    """Several training runs on one plot per key: solid training curves, dashed
    validation curves (when the logs have them), one colour per run (the
    legend names the runs; say "dashed = validation" in the title).

    Args:
        histories: {label: History or its dict}, e.g. {"L2": h1, "Dropout": h2}.
        keys: the log keys to draw, one panel each ("loss", "accuracy", ...).
        validation: also draw "val_<key>" when present.
        log_scale: logarithmic y axis (useful for losses that span decades).

    Returns the Figure (one panel of 6 x 4.5 inches per key).
    """
    plt = require_matplotlib()
    keys = [keys] if isinstance(keys, str) else list(keys)
    fig, axes = plt.subplots(1, len(keys), figsize=(6 * len(keys), 4.5), squeeze=False)
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for ax, key in zip(axes[0], keys, strict=True):
        for k, (label, history) in enumerate(histories.items()):
            epochs, logs = _logs_of(history)
            color = colors[k % len(colors)]
            if key in logs:
                ax.plot(epochs, logs[key], color=color, label=label)
            if validation and "val_" + key in logs:
                # same colour, dashed; named in the legend only if alone
                val_label = f"{label} (validation)" if key not in logs else None
                ax.plot(
                    epochs,
                    logs["val_" + key],
                    color=color,
                    linestyle="--",
                    label=val_label,
                )
        ax.set_xlabel("epoch")
        _integer_epochs(ax)
        ax.set_ylabel(key)
        if log_scale:
            ax.set_yscale("log")
        ax.grid(alpha=0.3)
        ax.legend(fontsize="small")
    return _finish(fig, path, title)


def plot_optimizer_comparison(histories, path=None, key="loss", title=None):
    """An optimizer race: `key` (default the training loss) per epoch for each
    optimizer, log scale. `histories` is {optimizer name: History}, each
    trained on the same model (same initial weights) and the same data."""
    return plot_comparison(
        histories,
        keys=(key,),
        path=path,
        validation=False,
        log_scale=True,
        title=title or "Optimizers on the same model and data",
    )


# ------------------------------------------------------------- activations
def plot_activations(
    names=ACTIVATION_NAMES, path=None, x_range=(-5.0, 7.0), title=None
):
    """Each activation f(x) and its derivative f'(x) on one page.

    The derivative is the library's own backward pass: f'(x) is
    `act.vjp(x, f(x), dy=1)` (the vector-Jacobian product with a cotangent
    of ones is the elementwise derivative), so the picture shows exactly
    what training uses.

    Returns the Figure (4 columns, 3 x 2.6 inches per activation).
    """
    from .. import activations

    plt = require_matplotlib()
    cols = 4
    rows = math.ceil(len(names) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(12, 2.6 * rows), squeeze=False)
    x = np.linspace(x_range[0], x_range[1], 401)
    for ax, name in zip(axes.flat, names, strict=False):
        act = activations.get(name)
        y = act(x)
        dy_dx = act.vjp(x, y, np.ones_like(x))
        ax.plot(x, y, label="f(x)")
        ax.plot(x, dy_dx, linestyle="--", label="f'(x)")
        ax.axhline(0, color="black", linewidth=0.5)
        ax.axvline(0, color="black", linewidth=0.5)
        ax.set_title(name)
        ax.grid(alpha=0.3)
    for ax in list(axes.flat)[len(names) :]:
        ax.axis("off")
    axes.flat[0].legend(loc="upper left")
    return _finish(fig, path, title)


# --------------------------------------------------------------- gradients
def plot_gradients(monitors, path=None, title=None):
    """Gradient flow from GradientMonitor records.

    Left: each layer's gradient norm (last epoch) by depth, log scale; with
    vanishing gradients the line climbs from the input side to the output
    by orders of magnitude, with healthy ones it stays flat.
    Right: gradient norms over the epochs (every layer for one monitor; the
    first (dashed) and the last (solid) layer with weights for several).

    Args:
        monitors: a GradientMonitor, or {label: GradientMonitor} to compare
            models (e.g. {"sigmoid": m1, "relu": m2}).

    Returns the Figure (10 x 4 inches).
    """
    plt = require_matplotlib()
    if not isinstance(monitors, dict):
        monitors = {"": monitors}
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for k, (label, monitor) in enumerate(monitors.items()):
        norms = monitor.records["grad_norm"]
        has_weights = ~np.isnan(norms[-1])
        names = [n for n, w in zip(monitor.layer_names, has_weights, strict=True) if w]
        norms = norms[:, has_weights]
        epochs = np.asarray(monitor.epochs) + 1
        color = colors[k % len(colors)]
        depth = np.arange(1, len(names) + 1)
        left.plot(depth, norms[-1], marker="o", color=color, label=label or None)
        if len(monitors) == 1:
            shades = plt.get_cmap("viridis")(np.linspace(0, 0.9, len(names)))
            for j, name in enumerate(names):
                right.plot(epochs, norms[:, j], marker=".", color=shades[j], label=name)
        else:
            right.plot(
                epochs,
                norms[:, 0],
                linestyle="--",
                marker=".",
                color=color,
                label=f"{label}: {names[0]}",
            )
            right.plot(
                epochs,
                norms[:, -1],
                marker=".",
                color=color,
                label=f"{label}: {names[-1]}",
            )
    left.set_yscale("log")
    left.set_xlabel("layer (1 = next to the input)")
    left.set_ylabel("gradient norm (last epoch)")
    left.set_title("Gradient norm by layer")
    right.set_yscale("log")
    right.set_xlabel("epoch")
    _integer_epochs(right)
    right.set_ylabel("gradient norm (mean over steps)")
    right.set_title("Gradient norms over training")
    for ax in (left, right):
        ax.grid(alpha=0.3, which="both")
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize="small", ncol=2 if len(ax.lines) > 6 else 1)
    return _finish(fig, path, title)
