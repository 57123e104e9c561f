"""from_logits vs softmax: why the loss should see logits, in numbers.

The claim: computing softmax probabilities and then -log(p) is numerically
fragile; computing the crossentropy straight from the logits z is not.

    naive:        p_k = exp(z_k) / Σ_j exp(z_j);  L = -log p_y
                  exp(100) overflows float32 (max ≈ 3.4e38 = exp(88.7)):
                  inf / inf = NaN, and log(0) = -inf
    clipped:      a stable softmax, then Keras's crossentropy on
                  probabilities, which clips p to [1e-7, 1 - 1e-7]: finite,
                  but L stops at -log(1e-7) = 16.1 and its gradient is 0
                  (the clip has no slope), so a confidently wrong network
                  gets no signal to learn
    from_logits:  L = logsumexp(z) - z_y with
                  logsumexp(z) = max(z) + log Σ_j exp(z_j - max(z)):
                  exact and finite, gradient dL/dz = softmax(z) - onehot(y)

(numkeras's compile() fuses a softmax/sigmoid output layer with its
crossentropy loss and trains on the logits automatically.)

This script prints the three on a few logit vectors, in float32, and draws

    logits_numerics.png   loss and |dL/dz| against how wrong the logits are

Run:  python examples/logits_numerics.py [--output DIR] [--quick]
"""

import warnings
from pathlib import Path

import numpy as np
from _common import parse_args

import numkeras as keras
from numkeras.utils import plotting


def naive_crossentropy(z, y):
    """The textbook formula, written directly: NaN/inf for large logits."""
    e = np.exp(z)
    p = e / e.sum(axis=-1, keepdims=True)
    return -np.log(p[np.arange(len(y)), y])


def clipped_crossentropy(z, y):
    """Stable softmax, then crossentropy on probabilities (clipped by Keras).
    Returns (loss per sample, dL/dz per sample)."""
    loss = keras.losses.SparseCategoricalCrossentropy(reduction=None)
    p = keras.activations.softmax(z)
    values, dp = loss.value_and_grad(y, p)
    dz = keras.activations.softmax.vjp(z, p, dp)
    return values, dz


def logits_crossentropy(z, y):
    """Crossentropy from the logits: logsumexp(z) - z_y.
    Returns (loss per sample, dL/dz per sample)."""
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True, reduction=None)
    return loss.value_and_grad(y, z)


def main():
    args = parse_args(__doc__)
    out = Path(args.output)
    out.mkdir(parents=True, exist_ok=True)

    y = np.array([0, 2, 0, 2, 2])
    z = np.array(
        [
            [2.0, 1.0, 0.1],  # ordinary logits: all three agree
            [10.0, 0.0, -10.0],  # confident and wrong: clipping starts to bite
            [100.0, 0.0, -100.0],  # right, but exp(100) overflows float32
            [100.0, 0.0, -100.0],  # wrong, and exp(100) overflows float32
            [1000.0, 0.0, -1000.0],
        ],
        dtype="float32",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # the overflow is the point
        naive = naive_crossentropy(z, y)
    clipped, clipped_dz = clipped_crossentropy(z, y)
    stable, stable_dz = logits_crossentropy(z, y)

    print("float32 logits z, true class y: crossentropy three ways\n")
    print(
        f"{'z':<26}{'y':>3}{'naive':>10}{'clipped p':>11}{'from_logits':>13}"
        f"{'|dL/dz| clipped':>17}{'|dL/dz| logits':>16}"
    )
    for i in range(len(z)):
        logits = "[" + ", ".join(f"{v:g}" for v in z[i]) + "]"
        print(
            f"{logits:<26}{y[i]:>3}{naive[i]:>10.4g}{clipped[i]:>11.4g}"
            f"{stable[i]:>13.4g}{np.linalg.norm(clipped_dz[i]):>17.4g}"
            f"{np.linalg.norm(stable_dz[i]):>16.4g}"
        )
    print(
        f"\nKey numbers at z = [100, 0, -100]: y = 0 (right): naive {naive[2]}, "
        f"from_logits {stable[2]:.3g}; y = 2 (wrong): naive {naive[3]}, clipped "
        f"{clipped[3]:.2f} with gradient norm {np.linalg.norm(clipped_dz[3]):.1f}, "
        f"from_logits {stable[3]:.1f} with gradient "
        f"{[round(float(v), 3) for v in stable_dz[3]]}"
    )

    # The curves: z = [m, 0, 0] with true class 1, for a growing margin m.
    margins = np.linspace(0.0, 120.0, 241, dtype="float32")
    zz = np.stack([margins, np.zeros_like(margins), np.zeros_like(margins)], axis=1)
    yy = np.ones(len(margins), dtype=int)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        naive_curve = naive_crossentropy(zz, yy)
    clipped_curve, clipped_grad = clipped_crossentropy(zz, yy)
    stable_curve, stable_grad = logits_crossentropy(zz, yy)
    first_nan = margins[np.argmax(~np.isfinite(naive_curve))]
    print(
        f"naive loss becomes non-finite from m = {first_nan:.1f} (float32 exp "
        f"overflow); clipped loss stops growing at {clipped_curve.max():.2f}"
    )

    plt = plotting.require_matplotlib()
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    finite = np.isfinite(naive_curve)
    left.plot(margins, stable_curve, label="from_logits: logsumexp(z) - z_y")
    left.plot(margins, clipped_curve, label="softmax, then clipped -log p")
    left.plot(
        margins[finite],
        naive_curve[finite],
        linestyle=":",
        linewidth=3,
        label="naive exp / sum, then -log (NaN beyond)",
    )
    left.axvline(first_nan, color="grey", linestyle="--")
    left.text(first_nan + 1, stable_curve.max() * 0.5, "naive: inf/NaN", color="grey")
    left.set_xlabel("m, for logits z = [m, 0, 0] with true class 1")
    left.set_ylabel("crossentropy (float32)")
    left.set_title("The loss")
    left.legend(fontsize="small")
    right.plot(margins, np.linalg.norm(stable_grad, axis=1), label="from_logits")
    right.plot(
        margins,
        np.linalg.norm(clipped_grad, axis=1),
        label="softmax, then clipped -log p",
    )
    right.set_xlabel("m")
    right.set_ylabel("|dL/dz|")
    right.set_title("Its gradient: the learning signal")
    right.legend(fontsize="small")
    for ax in (left, right):
        ax.grid(alpha=0.3)
    fig.suptitle("A confidently wrong prediction: stable vs naive crossentropy")
    fig.tight_layout()
    fig.savefig(out / "logits_numerics.png", dpi=plotting.DPI)
    plt.close(fig)
    print(f"wrote {out / 'logits_numerics.png'}")


if __name__ == "__main__":
    main()
