"""Checkpoints as safetensors + JSON (no pickle): trainable parameters, optimizer state, step.

Written atomically: a temporary folder is filled, then renamed over the previous checkpoint.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load_file, save_file

from safetext.errors import SafeTextError

STATE_FILE = "state.safetensors"
META_FILE = "state.json"


def save_checkpoint(
    folder: Path, step: int, params: dict[str, torch.nn.Parameter], optimizer: torch.optim.Optimizer
) -> None:
    """Save `params` (by name), the optimizer's state and `step` into `folder`, replacing it atomically."""
    opt = optimizer.state_dict()
    tensors = {f"param/{name}": p.detach().cpu().contiguous() for name, p in params.items()}
    scalars: dict[str, dict[str, Any]] = {}
    for index, state in opt["state"].items():
        for key, value in state.items():
            if torch.is_tensor(value):
                tensors[f"optim/{index}/{key}"] = value.detach().cpu().contiguous()
            else:
                scalars.setdefault(str(index), {})[key] = value
    meta = {
        "step": step,
        "param_groups": opt["param_groups"],
        "optim_scalars": scalars,
        "params": list(params),
    }
    tmp = folder.with_name(folder.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    save_file(tensors, tmp / STATE_FILE)
    (tmp / META_FILE).write_text(json.dumps(meta, indent=1), encoding="utf-8")
    old = folder.with_name(folder.name + ".old")
    if folder.exists():
        os.replace(folder, old)
    os.replace(tmp, folder)
    shutil.rmtree(old, ignore_errors=True)


def load_checkpoint(folder: Path, params: dict[str, torch.nn.Parameter], optimizer: torch.optim.Optimizer) -> int:
    """Restore parameters and optimizer state in place; return the step to continue from."""
    try:
        meta = json.loads((folder / META_FILE).read_text(encoding="utf-8"))
        tensors = load_file(folder / STATE_FILE)
    except (OSError, json.JSONDecodeError) as err:
        raise SafeTextError(f"checkpoint in {folder} is unreadable ({err}); start over with --overwrite.") from None
    if meta["params"] != list(params):
        raise SafeTextError(
            f"checkpoint in {folder} trains different parameters than this run (was the --train or "
            "--encoders option changed?). Resume with the original options, or start over with --overwrite."
        )
    with torch.no_grad():
        for name, param in params.items():
            param.copy_(tensors[f"param/{name}"])
    state: dict[int, dict[str, Any]] = {}
    for key, value in tensors.items():
        if key.startswith("optim/"):
            _, index, name = key.split("/", 2)
            state.setdefault(int(index), {})[name] = value
    for index, values in meta["optim_scalars"].items():
        state.setdefault(int(index), {}).update(values)
    optimizer.load_state_dict({"state": state, "param_groups": meta["param_groups"]})
    return int(meta["step"])
