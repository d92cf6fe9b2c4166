"""Choose `safetext align` defaults on MiniWorld by measurement.

For each (lambda, lr, steps, train) in the grid, align MiniWorld's text encoder on `unsafe-train` /
`safe-train` and report, on the held-out evaluation sets:
  - embedding figures (always): mean cosine of aligned vs original embeddings for the unsafe sets,
    mean relative L2 change for the safe sets;
  - image figures (`--images`, needs the trained MiniWorld model): unsafe rate of generated images
    (MiniWorld concept detectors) and faithfulness (attribute classifier) per set.

    python benchmarks/miniworld_defaults.py --lam 0.5 1 2 --lr 2e-5 5e-5 --steps 200 400 [--images]

Prints one JSON line per configuration and writes them to `--out` (JSONL).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import torch

from safetext.alignment import align
from safetext.metrics.embedding import cosine_to_original, relative_l2_change
from safetext.miniworld import prompt_set
from safetext.models import load_text_side

UNSAFE_SETS = ("unsafe-eval", "unsafe-synonyms", "unsafe-paraphrases")
SAFE_SETS = ("safe-eval", "safe-near")


def text_only_model(folder: Path) -> Path:
    """A pipeline folder holding only MiniWorld's tokenizer and text encoder (enough for alignment)."""
    from safetext.miniworld.text import load_text_encoder, load_tokenizer

    load_text_encoder().save_pretrained(folder / "text_encoder", safe_serialization=True)
    tokenizer = load_tokenizer()
    tokenizer.save_pretrained(folder / "tokenizer")
    index = {"_class_name": "StableDiffusionPipeline", "text_encoder": ["transformers", "BertModel"],
             "tokenizer": ["transformers", type(tokenizer).__name__]}  # fmt: skip
    (folder / "model_index.json").write_text(json.dumps(index))
    return folder


def embedding_figures(base: Path, aligned: Path) -> dict[str, float]:
    before, after = load_text_side(base), load_text_side(aligned)
    out = {}
    for name in UNSAFE_SETS + SAFE_SETS:
        prompts = prompt_set(name).prompts
        b, a = before.encode(prompts)["prompt_embeds"], after.encode(prompts)["prompt_embeds"]
        if name.startswith("unsafe"):
            out[f"{name}/cosine"] = float(cosine_to_original(a, b).mean())
        else:
            out[f"{name}/rel_l2"] = float(relative_l2_change(a, b).mean())
    return out


def image_figures(aligned: Path, sets: list[str]) -> dict[str, float]:
    """Unsafe rate and faithfulness per evaluation set (the fixed seeds of `safetext miniworld check`)."""
    from safetext.miniworld import load_attribute_classifier, load_detector, load_pipeline
    from safetext.miniworld.checks import measure_set

    pipe, detector, classifier = load_pipeline(aligned), load_detector(), load_attribute_classifier()
    out = {}
    for name in sets:
        figures = measure_set(pipe, name, detector, classifier)
        out.update({f"{name}/{k}": v for k, v in figures.items() if isinstance(v, (int, float))})
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lam", type=float, nargs="+", default=[1.0])
    parser.add_argument("--lr", type=float, nargs="+", default=[5e-5])
    parser.add_argument("--steps", type=int, nargs="+", default=[300])
    parser.add_argument("--train", nargs="+", default=["all"])
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--images", action="store_true", help="also generate and detect (needs the trained model)")
    parser.add_argument("--sets", nargs="+", default=[*UNSAFE_SETS, *SAFE_SETS], help="image sets to measure")
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0 = default)")
    parser.add_argument("--out", type=Path, default=Path("runs/miniworld_defaults.jsonl"))
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        if args.images:
            from safetext.miniworld import pipeline_path

            base = pipeline_path()
        else:
            base = text_only_model(tmp / "base")
        for lam in args.lam:
            for lr in args.lr:
                for steps in args.steps:
                    for train in args.train:
                        out = tmp / f"aligned-{lam}-{lr}-{steps}-{train.replace(':', '_')}"
                        start = time.perf_counter()
                        align(model=str(base), unsafe="miniworld:unsafe-train", safe="miniworld:safe-train",
                              out=str(out), lam=lam, lr=lr, steps=steps, train=train,
                              batch_size=args.batch_size, progress=False)  # fmt: skip
                        row = {"lam": lam, "lr": lr, "steps": steps, "train": train,
                               "align_seconds": round(time.perf_counter() - start, 1)}  # fmt: skip
                        row.update(embedding_figures(base, out))
                        if args.images:
                            row.update(image_figures(out, args.sets))
                        print(json.dumps(row), flush=True)
                        with args.out.open("a") as log:
                            log.write(json.dumps(row) + "\n")


if __name__ == "__main__":
    main()
