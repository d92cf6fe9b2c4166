"""Per-stage result cache inside an evaluation folder: an interrupted evaluation resumes.

Each stage result is stored as `cache/<name>.json` with the key it was computed for (image files,
scorer descriptions); it is reused only when the key matches exactly.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from safetext.evaluation.io import json_safe, read_json, write_json


class StageCache:
    def __init__(self, folder: Path | None) -> None:
        self.folder = None if folder is None else Path(folder)

    def get(self, name: str, key: Any, compute: Callable[[], Any]) -> Any:
        """The stored value for (name, key), or `compute()` stored and returned (as plain JSON types)."""
        if self.folder is None:
            return json_safe(compute())
        path = self.folder / (re.sub(r"[^\w.@-]+", "_", name) + ".json")
        key = json_safe(key)
        if path.is_file():
            stored = read_json(path)
            if stored.get("key") == key:
                return stored["value"]
        value = json_safe(compute())
        write_json(path, {"key": key, "value": value})
        return value
