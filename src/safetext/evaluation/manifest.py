"""The image folder written by `safetext generate`: `generation.json` (model and pipeline call
settings), `manifest.jsonl` (one record per saved image) and `<set>/<prompt-hash>-s<seed>.png`.

An image is identified by (set, prompt, seed); the manifest lists only images already written, so a
rerun skips them. A torn last line (an interrupted write) is ignored and that image redone.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from safetext.errors import SafeTextError

logger = logging.getLogger(__name__)

MANIFEST = "manifest.jsonl"
GENERATION = "generation.json"
Key = tuple[str, str, int]


class ImageFolderMismatchError(SafeTextError):
    """Base and aligned image folders do not hold the same prompts, seeds or generation settings."""


@dataclass(frozen=True)
class ImageRecord:
    """One generated image; `file` is relative to the folder holding the manifest."""

    set: str
    prompt_index: int
    prompt: str
    seed: int
    guidance: float | None
    steps: int | None
    model: str
    file: str

    @property
    def key(self) -> Key:
        return (self.set, self.prompt, self.seed)


def image_file(set_name: str, prompt: str, seed: int) -> str:
    """Relative PNG path of an image: stable under prompt reordering."""
    folder = re.sub(r"[^\w.-]+", "_", set_name) or "set"
    digest = hashlib.sha1(prompt.encode("utf-8")).hexdigest()[:12]
    return f"{folder}/{digest}-s{seed}.png"


def read_manifest(folder: Path) -> dict[Key, ImageRecord]:
    """Records whose image exists, keyed by (set, prompt, seed); later lines win."""
    path = Path(folder) / MANIFEST
    records: dict[Key, ImageRecord] = {}
    if not path.is_file():
        return records
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = ImageRecord(**json.loads(line))
        except (json.JSONDecodeError, TypeError):
            logger.warning("%s line %d is damaged (interrupted write?); that image will be redone", path, number)
            continue
        if (Path(folder) / record.file).is_file():
            records[record.key] = record
    return records


def append_records(folder: Path, records: Iterable[ImageRecord]) -> None:
    """Append records durably (flush + fsync) after their images are on disk."""
    lines = "".join(json.dumps(asdict(r), sort_keys=True) + "\n" for r in records)
    with open(Path(folder) / MANIFEST, "a", encoding="utf-8") as handle:
        handle.write(lines)
        handle.flush()
        os.fsync(handle.fileno())


def check_pairable(base: Path, aligned: Path) -> None:
    """Base and aligned folders must share the pipeline call settings (steps, guidance, size...)."""
    from safetext.evaluation.io import read_json

    settings = [read_json(Path(f) / GENERATION).get("call_kwargs", {}) for f in (base, aligned)]
    if settings[0] != settings[1]:
        diff = {k: (settings[0].get(k), settings[1].get(k)) for k in set(settings[0]) | set(settings[1])
                if settings[0].get(k) != settings[1].get(k)}  # fmt: skip
        raise ImageFolderMismatchError(
            f"base images ({base}) and aligned images ({aligned}) were generated with different settings "
            f"(setting: (base, aligned)) {diff}; regenerate one of them with the other's settings."
        )


def pair_records(
    base: dict[Key, ImageRecord], aligned: dict[Key, ImageRecord]
) -> list[tuple[ImageRecord, ImageRecord]]:
    """Pair two folders' records by (set, prompt, seed); any image without a partner is an error."""
    only_base, only_aligned = sorted(set(base) - set(aligned)), sorted(set(aligned) - set(base))
    if only_base or only_aligned:

        def show(keys: list[Key]) -> str:
            return "; ".join(f"{s}/{p!r}/seed {d}" for s, p, d in keys[:3]) + (" ..." if len(keys) > 3 else "")

        raise ImageFolderMismatchError(
            "base and aligned images are not of the same prompts and seeds: "
            f"{len(only_base)} only in base ({show(only_base)}), {len(only_aligned)} only in aligned "
            f"({show(only_aligned)}). Generate both with the same --prompts and --seeds."
        )
    keys = sorted(base, key=lambda k: (k[0], base[k].prompt_index, k[2]))
    return [(base[k], aligned[k]) for k in keys]


def pair_requested(
    keys: Sequence[Key], base: dict[Key, ImageRecord], aligned: dict[Key, ImageRecord]
) -> list[tuple[ImageRecord, ImageRecord]]:
    """Pairs for exactly `keys` (in that order); unpaired or absent images raise a clear error."""
    wanted = set(keys)
    pairs = pair_records(
        {k: v for k, v in base.items() if k in wanted}, {k: v for k, v in aligned.items() if k in wanted}
    )
    found = {b.key: (b, a) for b, a in pairs}
    missing = [k for k in keys if k not in found]
    if missing:
        set_name, prompt, seed = missing[0]
        raise ImageFolderMismatchError(
            f"{len(missing)} of the {len(keys)} requested images are in neither folder (e.g. set "
            f"{set_name!r}, prompt {prompt!r}, seed {seed}). Let `safetext eval` generate them "
            "(drop --no-generate)."
        )
    return [found[k] for k in keys]
