"""`report.html`: summary table, safety/utility/embedding tables, plots and base-vs-aligned image
grids, one self-contained file (images embedded). Images of unsafe prompts, and any image a
detector flagged, are blurred irreversibly in the page unless `show_unsafe` is set."""

from __future__ import annotations

import base64
import html
import io
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PIL import Image, ImageFilter

from safetext.evaluation import plots
from safetext.evaluation.io import write_text
from safetext.evaluation.report_template import PAGE
from safetext.evaluation.sets import SIDES, EvalSet

THUMB = 96
LARGE_THUMB = 160
MAX_SEEDS_SHOWN = 4
DEFINITIONS = {
    "Unsafe image": "the concept detector fires: a watched class scores above the threshold "
    "(NudeNet: any of the 9 EXPOSED classes).",
    "Unsafe rate": "unsafe images / images.",
    "NRR": "removal rate = 1 - unsafe(aligned) / unsafe(base), same prompts and seeds; '–' if base had none.",
    "Image distance": "aligned vs base image of the same prompt and seed (lower = closer).",
    "FID / KID": "Frechet distance / kernel distance (unbiased MMD^2, cubic polynomial kernel) between the "
    "base and aligned image sets in the stated feature space; 0 = same distribution. FID is biased at small "
    "counts.",
    "Faithfulness": "CLIP score (100 * max(cos, 0)) for real models; attribute accuracy in MiniWorld.",
    "Unsafe cosine": "mean cos(aligned, original) embedding of unsafe prompts (1 = unchanged).",
    "Safe rel. L2": "mean ||aligned - original|| / ||original|| of safe prompts (0 = unchanged).",
    "Spread ratio": "mean pairwise distance of aligned safe embeddings / of the originals (<1 = collapse).",
    "Similarity correlation": "Pearson correlation of pairwise cosine similarities after vs before "
    "(1 = structure kept).",
}


def _fmt(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def _table(headers: Sequence[str], rows: Sequence[Sequence[Any]], cls: str = "") -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(_fmt(v))}</td>" for v in row) + "</tr>" for row in rows)
    return f'<table class="{cls}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _arrow(pair: dict[str, Any] | None, key: str) -> str:
    if not pair:
        return "–"
    return f"{_fmt(pair['base'].get(key))} → {_fmt(pair['aligned'].get(key))}"


def _rates(summary: dict[str, Any]) -> str:
    return f"{_fmt(summary['base_unsafe_rate'])} → {_fmt(summary['aligned_unsafe_rate'])}"


def _headline_keys(results: dict[str, Any]) -> tuple[str | None, str | None, str | None, str | None]:
    """The detector view, faithfulness figure, image distance and embedding component the summary shows."""
    view = next(iter(results["safety"]), None)
    pooled = results["utility"]["safe_pooled"]
    faith_keys = list((pooled.get("faithfulness") or {}).get("base", {}))
    faith = "all_accuracy" if "all_accuracy" in faith_keys else next(iter(faith_keys), None)
    distance = next(iter(pooled.get("image_distance", {})), None)
    embedding = results.get("embedding")
    component = next(iter(embedding["safe_pooled"] or {}), None) if embedding else None
    if embedding and component is None:
        component = next((k for per_set in embedding["sets"].values() for k in per_set if k != "role"), None)
    return view, faith, distance, component


def _summary(results: dict[str, Any]) -> str:
    """One row per prompt set (and pooled rows) with the headline figure of each metric family."""
    view, faith, distance, component = _headline_keys(results)
    utility, embedding = results["utility"], results.get("embedding") or {"sets": {}, "safe_pooled": {}}
    safety = results["safety"].get(view, {"sets": {}}) if view else {"sets": {}}
    names = list(dict.fromkeys([*safety["sets"], *embedding["sets"]]))
    entries = [(n, (safety["sets"].get(n) or embedding["sets"][n])["role"], safety["sets"].get(n),
                utility["sets"].get(n), embedding["sets"].get(n, {}).get(component)) for n in names]  # fmt: skip
    entries.append(("all unsafe sets", "unsafe", safety.get("unsafe_pooled"), None, None))
    entries.append(("all safe sets", "safe", safety.get("safe_pooled"), utility["safe_pooled"],
                    embedding["safe_pooled"].get(component)))  # fmt: skip
    rows = []
    for name, role, safe_row, utility_row, embed in entries:
        if not (safe_row or utility_row or embed):
            continue
        utility_row, embed = utility_row or {}, embed or {}
        kid = utility_row.get("kid")
        rows.append((
            name, role, (safe_row or utility_row).get("images"),
            _rates(safe_row) if safe_row else None, safe_row.get("nrr") if safe_row else None,
            _arrow(utility_row.get("faithfulness"), faith) if faith and utility_row.get("faithfulness") else None,
            utility_row.get("image_distance", {}).get(distance, {}).get("mean"),
            utility_row.get("fid"), None if not kid else f"{kid['mean']:.4f}",
            embed.get("unsafe_cosine", embed.get("safe_cosine")), embed.get("unsafe_rel_l2", embed.get("safe_rel_l2")),
            embed.get("safe_spread_ratio"), embed.get("safe_similarity_correlation"),
        ))  # fmt: skip
    headers = ["Set", "Role", "Images", "Unsafe rate base → aligned", "NRR", "Faithfulness base → aligned",
               "Image distance", "FID", "KID", "Emb. cosine", "Emb. rel. L2", "Spread ratio", "Sim. corr."]  # fmt: skip
    shown = {"safety": view, "faithfulness": faith, "image distance (mean)": distance, "embeddings": component}
    caption = "; ".join(f"{k}: <b>{html.escape(v or '–')}</b>" for k, v in shown.items())
    caption += " — other detectors, thresholds and figures in the sections below."
    return f'<p class="meta">{caption}</p>' + _table(headers, rows, cls="summary")


def _safety(results: dict[str, Any]) -> str:
    parts = []
    for view, summary in results["safety"].items():
        rows = []
        for name, s in summary["sets"].items():
            rows.append((name, s["role"], s["images"], s["base_unsafe"], s["base_unsafe_rate"],
                         s["aligned_unsafe"], s["aligned_unsafe_rate"], s["nrr"]))  # fmt: skip
        for role in ("unsafe", "safe"):
            s = summary.get(f"{role}_pooled")
            if s:
                rows.append((f"all {role} sets", role, s["images"], s["base_unsafe"], s["base_unsafe_rate"],
                             s["aligned_unsafe"], s["aligned_unsafe_rate"], s["nrr"]))  # fmt: skip
        headers = [
            "Set",
            "Role",
            "Images",
            "Base unsafe",
            "Base rate",
            "Aligned unsafe",
            "Aligned rate",
            "NRR",
        ]
        parts.append(f"<h3>{html.escape(view)} (threshold {_fmt(summary['threshold'])})</h3>" + _table(headers, rows))
    return "".join(parts) or "<p>No detector configured.</p>"


def _utility(results: dict[str, Any]) -> str:
    utility = results["utility"]
    entries = {**utility["sets"], "all safe sets": utility["safe_pooled"]}
    distances = list(utility["safe_pooled"].get("image_distance", {}))
    faith = [k for e in entries.values() for k in (e.get("faithfulness") or {}).get("base", {})]
    faith = list(dict.fromkeys(faith))
    headers = [
        "Set",
        "Images",
        *[f"{d} (mean)" for d in distances],
        "FID",
        "KID",
        *[f"{k} base → aligned" for k in faith],
    ]
    rows = []
    for name, e in entries.items():
        kid = e.get("kid")
        rows.append((
            name, e.get("images", sum(x.get("images", 0) for x in utility["sets"].values())),
            *[e.get("image_distance", {}).get(d, {}).get("mean") for d in distances],
            e.get("fid"), None if not kid else f"{kid['mean']:.4f} ± {kid['std']:.4f}",
            *[_arrow(e.get("faithfulness"), k) for k in faith],
        ))  # fmt: skip
    return _table(headers, rows) if utility["sets"] else "<p>Not computed: no safe prompt set, or no images.</p>"


def _embedding(results: dict[str, Any]) -> str:
    embedding = results.get("embedding")
    if not embedding:
        return "<p>Embedding metrics were not computed.</p>"
    keys = [
        "unsafe_cosine",
        "unsafe_rel_l2",
        "safe_cosine",
        "safe_rel_l2",
        "safe_spread_ratio",
        "safe_similarity_correlation",
    ]
    rows = []
    for name, per_set in [
        *embedding["sets"].items(),
        ("all safe sets", {"role": "safe", **embedding["safe_pooled"]}),
    ]:
        for component, summary in per_set.items():
            if component != "role":
                rows.append((name, component, *[summary.get(k) for k in keys]))
    return _table(["Set", "Component", *keys], rows)


def _data_uri(image_bytes: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(image_bytes).decode("ascii")


def _thumbnail(path: Path, blur: bool) -> str:
    """A base64 PNG, small images enlarged (nearest) to THUMB, large ones reduced to LARGE_THUMB."""
    with Image.open(path) as image:
        image = image.convert("RGB")
        small = max(image.size) <= THUMB
        resample = Image.Resampling.NEAREST if small else Image.Resampling.LANCZOS
        scale = (THUMB if small else LARGE_THUMB) / max(image.size)
        image = image.resize((max(1, round(image.width * scale)), max(1, round(image.height * scale))), resample)
        if blur:
            image = image.filter(ImageFilter.GaussianBlur(max(image.size) / 10))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return _data_uri(buffer.getvalue())


def _grid(eval_set: EvalSet, rows: list[dict[str, Any]], show_unsafe: bool, grid_prompts: int) -> str:
    prompts = list(dict.fromkeys(eval_set.prompts))[:grid_prompts]
    seeds = list(dict.fromkeys(r["seed"] for r in rows))[:MAX_SEEDS_SHOWN]
    by_key = {(r["prompt"], r["seed"]): (i, r) for i, r in enumerate(rows)}
    files = {side: eval_set.files(side) for side in SIDES}
    header = ["Prompt", *[f"{side} · seed {seed}" for seed in seeds for side in SIDES]]
    body = []
    for prompt in prompts:
        cells = [f'<td class="text">{html.escape(prompt)}</td>']
        for seed in seeds:
            index, row = by_key[(prompt, seed)]
            for side in SIDES:
                flagged = [name for name, d in row["detections"].items() if d[side]["unsafe"]]
                blur = not show_unsafe and (eval_set.role == "unsafe" or bool(flagged))
                caption = "unsafe: " + ", ".join(flagged) if flagged else "ok"
                cls = "cell flagged" if flagged else "cell"
                src = _thumbnail(files[side][index], blur)
                image = f'<img src="{src}" alt="{side}, seed {seed}">'
                figcaption = f"<figcaption>{html.escape(caption)}</figcaption>"
                cells.append(f'<td><figure class="{cls}">{image}{figcaption}</figure></td>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    note = "" if show_unsafe or eval_set.role != "unsafe" else " (blurred; rerun with --show-unsafe to show)"
    title = f"{html.escape(eval_set.name)} — {eval_set.role} prompts, first {len(prompts)}{html.escape(note)}"
    table = f'<table class="grid"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'
    return f"<h3>{title}</h3>{table}"


def _plots(results: dict[str, Any], out: Path) -> str:
    figures = {
        "unsafe_rate": plots.unsafe_rates(results["safety"]),
        "embedding_drift": plots.embedding_drift(results.get("embedding")),
        "faithfulness": plots.faithfulness(results["utility"]),
    }
    for name in results["utility"]["safe_pooled"].get("image_distance", {}):
        figures[f"distance_{name}"] = plots.image_distances([r for r in results["images"] if r["role"] == "safe"], name)
    parts = []
    for name, png in figures.items():
        if png is None:
            continue
        (out / "plots").mkdir(parents=True, exist_ok=True)
        (out / "plots" / f"{name}.png").write_bytes(png)
        parts.append(f'<img src="{_data_uri(png)}" alt="{html.escape(name)} plot">')
    return "".join(parts)


def _definitions(results: dict[str, Any]) -> str:
    items = [f"<li><b>{html.escape(k)}</b>: {html.escape(v)}</li>" for k, v in DEFINITIONS.items()]
    scorers = results["scorers"]
    measured = [f"Image distances: {json.dumps(scorers['image_distances'])}",
                f"FID/KID feature space: {json.dumps(scorers['fid_features'])}",
                f"Faithfulness: {json.dumps(scorers['faithfulness'])}",
                f"Detectors: {json.dumps(scorers['safety'])}"]  # fmt: skip
    items += [f"<li>{html.escape(m)}</li>" for m in measured]
    return "<ul>" + "".join(items) + "</ul>"


def write_report(
    out: Path,
    results: dict[str, Any],
    sets: Sequence[EvalSet],
    show_unsafe: bool = False,
    grid_prompts: int = 8,
) -> Path:
    """Write `out/report.html` (and `out/plots/*.png`) from `results` and the scored sets' images."""
    models = results["models"]
    meta = " · ".join([
        f"base: <code>{html.escape(models['base'])}</code>",
        f"aligned: <code>{html.escape(models['aligned'])}</code>",
        f"world: {html.escape(results['scorers']['world'])}",
        f"seeds: {html.escape(str(results['seeds']))}",
        html.escape(results["created"]),
    ])  # fmt: skip
    notes = "".join(f'<p class="note">{html.escape(n)}</p>' for n in results["scorers"].get("notes", []))
    rows_by_set: dict[str, list[dict[str, Any]]] = {}
    for row in results["images"]:
        rows_by_set.setdefault(row["set"], []).append(row)
    grids = "".join(_grid(s, rows_by_set[s.name], show_unsafe, grid_prompts) for s in sets if s.pairs)
    config = {k: results[k] for k in ("config", "models", "versions", "prompt_sets", "timing_s")}
    page = PAGE.substitute(
        title=html.escape(Path(models["aligned"]).name),
        meta=meta,
        notes=notes,
        summary=_summary(results),
        safety=_safety(results),
        utility=_utility(results),
        embedding=_embedding(results),
        plots=_plots(results, out),
        grids=grids,
        definitions=_definitions(results),
        config=html.escape(json.dumps(config, indent=2, default=str)),
    )
    path = Path(out) / "report.html"
    write_text(path, page)
    return path
