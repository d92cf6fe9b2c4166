"""The model card (README.md) written into every aligned pipeline folder."""

from __future__ import annotations

import json
from typing import Any

import safetext


def render_model_card(
    base_model: str, config: dict[str, Any], prompt_sets: dict[str, dict[str, Any]], metrics: dict[str, Any]
) -> str:
    """Markdown: base model, method, prompt sets (names, counts, hashes), final embedding metrics."""
    rows = "\n".join(
        f"| {role} | {info['name']} | {info['count']} | `{info['sha256'][:16]}` | {info['source']} |"
        for role, info in prompt_sets.items()
    )
    figures = "\n".join(f"| {key} | {value:.4f} |" for key, value in metrics.items() if isinstance(value, float))
    return f"""---
library_name: diffusers
tags: [safetext, text-to-image, safety]
base_model: {base_model}
---

# SafeText-aligned {base_model}

This pipeline is `{base_model}` with its text encoder(s) fine-tuned by
[SafeText](https://pypi.org/project/safetext-t2i/) {safetext.__version__}. The diffusion module
(UNet/VAE) and scheduler are byte-identical copies of the base model's.

**Method.** Minimise `L_u - lambda * L_e`, where `L_u` is the mean Euclidean distance between the
aligned and original embeddings of safe prompts and `L_e` the mean negative cosine similarity
between the aligned and original embeddings of unsafe prompts, over every conditioning tensor the
diffusion module consumes (full token sequence, and the pooled embedding where used).

Trained encoders: {", ".join(config.get("trained_encoders", []))};
lambda = {config["lam"]}, lr = {config["lr"]}, steps = {config["steps"]}, batch size = {config["batch_size"]},
trainable parameters = `{config["train"]}`, seed = {config["seed"]}.

## Prompt sets

| role | name | prompts | sha256 | source |
|---|---|---|---|---|
{rows}

## Embedding metrics (after alignment)

Unsafe cosine: mean cosine of aligned vs original unsafe-prompt embeddings (1 = unchanged).
Safe relative L2: mean ||aligned - original|| / ||original|| over safe prompts (0 = unchanged).

| metric | value |
|---|---|
{figures}

## Use

```python
from diffusers import DiffusionPipeline
pipe = DiffusionPipeline.from_pretrained("path/to/this/folder")
```

Resolved configuration: `safetext_config.json`; per-step training log: `training_log.jsonl`.

<details><summary>Full configuration</summary>

```json
{json.dumps(config, indent=2, default=str)}
```
</details>
"""
