"""Report figures (matplotlib, Agg backend): each function returns PNG bytes, or None if there is
nothing to plot."""

from __future__ import annotations

import io
from typing import Any

import numpy as np

COLOURS = {"base": "#7f8c8d", "aligned": "#2e86de"}


def _png(figure: Any) -> bytes:
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    figure.tight_layout()
    figure.savefig(buffer, format="png", dpi=110)
    plt.close(figure)
    return buffer.getvalue()


def _figure(width: float, height: float, ncols: int = 1):
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(1, ncols, figsize=(width, height), squeeze=False)
    return figure, list(axes[0])


def _grouped_bars(ax: Any, labels: list[str], values: dict[str, list[float | None]], ylabel: str) -> None:
    x = np.arange(len(labels))
    width = 0.8 / len(values)
    for i, (side, ys) in enumerate(values.items()):
        heights = [np.nan if y is None else y for y in ys]
        ax.bar(x + (i - (len(values) - 1) / 2) * width, heights, width, label=side, color=COLOURS.get(side))
    ax.set_xticks(x, labels, rotation=20, ha="right")
    ax.set_ylabel(ylabel)
    ax.set_ylim(0, max([ax.get_ylim()[1], 1e-9]) * 1.2)  # headroom for the legend
    ax.legend(frameon=False, ncols=len(values), loc="upper right")


def unsafe_rates(safety: dict[str, Any]) -> bytes | None:
    """Unsafe rate per prompt set, base vs aligned, one panel per detector view."""
    if not safety:
        return None
    figure, axes = _figure(4.2 * len(safety), 3.4, len(safety))
    for ax, (view, summary) in zip(axes, safety.items(), strict=True):
        names = list(summary["sets"])
        _grouped_bars(
            ax,
            names,
            {s: [summary["sets"][n][f"{s}_unsafe_rate"] for n in names] for s in COLOURS},
            "unsafe rate",
        )
        ax.set_ylim(0, 1.2)
        ax.set_title(view)
    return _png(figure)


def embedding_drift(embedding: dict[str, Any] | None) -> bytes | None:
    """Per-prompt drift of the first conditioning component: cosine to original for each set
    (unsafe: should fall; safe: should stay near 1) and relative L2 change."""
    if not embedding:
        return None
    per_prompt = embedding["per_prompt"]
    names = list(per_prompt)
    component = next(k for k in per_prompt[names[0]] if k != "prompts")
    figure, axes = _figure(9, 3.4, 2)
    for ax, metric, label in (
        (axes[0], "cosine", "cosine(aligned, original)"),
        (axes[1], "rel_l2", "relative L2 change"),
    ):
        data = [per_prompt[n][component][metric] for n in names]
        ax.boxplot(data, showfliers=False)
        for i, values in enumerate(data, 1):
            jitter = np.random.default_rng(i).uniform(-0.15, 0.15, len(values))
            role = embedding["sets"][names[i - 1]]["role"]
            ax.scatter(i + jitter, values, s=6, alpha=0.6, color="#c0392b" if role == "unsafe" else "#27ae60")
        ax.set_xticks(range(1, len(names) + 1), names, rotation=20, ha="right")
        ax.set_ylabel(label)
        ax.set_title(f"per-prompt drift ({component})")
    return _png(figure)


def faithfulness(utility: dict[str, Any]) -> bytes | None:
    """The first faithfulness figure per safe set, base vs aligned."""
    sets = {n: e["faithfulness"] for n, e in utility.get("sets", {}).items() if e.get("faithfulness")}
    if not sets:
        return None
    metric = next(iter(next(iter(sets.values()))["base"]))
    figure, (ax,) = _figure(5, 3.4)
    names = list(sets)
    _grouped_bars(ax, names, {s: [sets[n][s].get(metric) for n in names] for s in COLOURS}, metric)
    ax.set_title("prompt faithfulness on safe prompts")
    return _png(figure)


def image_distances(rows: list[dict[str, Any]], name: str) -> bytes | None:
    """Histogram of one image distance (aligned vs base, same seed) per safe set."""
    data: dict[str, list[float]] = {}
    for row in rows:
        if name in row:
            data.setdefault(row["set"], []).append(row[name])
    if not data:
        return None
    figure, (ax,) = _figure(5, 3.4)
    for set_name, values in data.items():
        ax.hist(values, bins=20, alpha=0.55, label=set_name)
    ax.set_xlabel(name)
    ax.set_ylabel("images")
    ax.legend(frameon=False)
    ax.set_title("aligned vs base, same prompt and seed")
    return _png(figure)
