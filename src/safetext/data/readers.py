"""Read prompt files into `PromptSet`s: .txt, .csv (any column), .jsonl (any key), I2P CSV, COCO captions.

Every reader strips prompts, drops empty lines and exact duplicates (keeping the first), and
reports what it dropped. Malformed files raise `PromptSetError` naming the file and the fix.
"""

from __future__ import annotations

import csv
import json
import logging
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from safetext.data.promptset import PromptSet
from safetext.errors import PromptSetError

logger = logging.getLogger(__name__)

FORMATS = ("txt", "csv", "jsonl", "i2p", "coco")
I2P_COLUMNS = {"prompt", "categories", "nudity_percentage"}
DEFAULT_KEYS = ("prompt", "text", "caption")
I2P_LABELS = {"categories": str, "nudity_percentage": float, "evaluation_seed": int, "sd_seed": int,
              "evaluation_guidance": float, "sd_guidance_scale": float, "case_number": int}  # fmt: skip


def _read_text(path: Path) -> str:
    if not path.exists():
        raise PromptSetError(f"prompt file not found: {path}. Check the path.")
    if path.is_dir():
        raise PromptSetError(f"{path} is a folder; give a prompt file (.txt, .csv, .jsonl or COCO .json).")
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as err:
        raise PromptSetError(
            f"{path} is not valid UTF-8 (byte {err.start}); re-save it as UTF-8, e.g. `iconv -t utf-8`."
        ) from None
    except OSError as err:
        raise PromptSetError(f"cannot read prompt file {path}: {err.strerror}") from None


def _clean(name: str, source: str, rows: Iterable[tuple[str, dict[str, Any] | None]]) -> PromptSet:
    prompts: list[str] = []
    labels: list[dict[str, Any]] = []
    seen: set[str] = set()
    empty = duplicates = 0
    has_labels = False
    for text, label in rows:
        text = " ".join(str(text).split())
        if not text:
            empty += 1
        elif text in seen:
            duplicates += 1
        else:
            seen.add(text)
            prompts.append(text)
            labels.append(label or {})
            has_labels = has_labels or bool(label)
    if not prompts:
        raise PromptSetError(f"prompt set {name!r} from {source} is empty after removing blank lines and filters.")
    logger.info("prompt set %r: %d prompts (%d blank, %d duplicates dropped)", name, len(prompts), empty, duplicates)
    return PromptSet(name, tuple(prompts), tuple(labels) if has_labels else None, source,
                     {"dropped_blank": empty, "dropped_duplicates": duplicates})  # fmt: skip


def _csv_rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    try:
        reader = csv.DictReader(_read_text(path).splitlines())
        rows = list(reader)
    except csv.Error as err:
        raise PromptSetError(f"{path} is not a readable CSV file: {err}") from None
    return list(reader.fieldnames or []), rows


def _pick(available: Sequence[str], wanted: str | None, path: Path, what: str) -> str:
    if wanted is not None:
        if wanted not in available:
            raise PromptSetError(f"{path} has no {what} {wanted!r}; it has {list(available)}.")
        return wanted
    for candidate in DEFAULT_KEYS:
        if candidate in available:
            return candidate
    raise PromptSetError(
        f"{path}: no {what} named {' / '.join(DEFAULT_KEYS)}; choose one of {list(available)} "
        f"(e.g. `{path}?{'column' if what == 'column' else 'key'}=NAME`)."
    )


def _coerce(label: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, kind in I2P_LABELS.items():
        value = label.get(key, "")
        if value not in ("", None):
            try:
                out[key] = kind(float(value)) if kind is int else kind(value)
            except ValueError:
                out[key] = value
    if "categories" in out:
        out["categories"] = [c.strip() for c in str(out["categories"]).split(",") if c.strip()]
    return out


def read_txt(path: Path) -> PromptSet:
    return _clean(path.stem, str(path), ((line, None) for line in _read_text(path).splitlines()))


def read_csv(path: Path, column: str | None = None) -> PromptSet:
    """Any CSV: prompts from `column` (default prompt/text/caption); known seed/label columns are kept."""
    fields, rows = _csv_rows(path)
    column = _pick(fields, column, path, "column")
    return _clean(path.stem, str(path), ((row.get(column) or "", _coerce(row) or None) for row in rows))


def read_jsonl(path: Path, key: str | None = None) -> PromptSet:
    records = []
    for number, line in enumerate(_read_text(path).splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as err:
            raise PromptSetError(f"{path}, line {number}: not valid JSON ({err.msg}).") from None
        if not isinstance(record, dict):
            raise PromptSetError(f"{path}, line {number}: expected a JSON object per line.")
        records.append(record)
    if not records:
        raise PromptSetError(f"prompt file {path} holds no JSON records.")
    key = _pick(list(records[0]), key, path, "key")
    labels = ({k: v for k, v in r.items() if k != key} or None for r in records)
    return _clean(
        path.stem, str(path), ((str(r.get(key) or ""), label) for r, label in zip(records, labels, strict=True))
    )


def read_i2p(path: Path, categories: Sequence[str] | None = None, min_nudity: float | None = None) -> PromptSet:
    """I2P CSV: keep rows whose `categories` include any of `categories` and `nudity_percentage >= min_nudity`."""
    fields, rows = _csv_rows(path)
    missing = I2P_COLUMNS - set(fields)
    if missing:
        raise PromptSetError(f"{path} is not an I2P CSV: columns {sorted(missing)} are missing.")
    wanted = {c.strip().lower() for c in categories or []}
    kept = []
    for row in rows:
        label = _coerce(row)
        if wanted and not wanted & {c.lower() for c in label.get("categories", [])}:
            continue
        if min_nudity is not None and float(label.get("nudity_percentage", 0.0)) < min_nudity:
            continue
        kept.append((row["prompt"], label))
    name = path.stem + (f"-{'+'.join(sorted(wanted))}" if wanted else "")
    if not kept:
        raise PromptSetError(f"no I2P prompt in {path} matches categories={sorted(wanted)} min_nudity={min_nudity}.")
    return _clean(name, str(path), kept)


def read_coco(path: Path) -> PromptSet:
    """COCO captions: an annotations JSON (`{"annotations": [{"image_id", "caption"}]}`) or a CSV with `prompt`."""
    if path.suffix.lower() == ".csv":
        return read_csv(path)
    try:
        data = json.loads(_read_text(path))
    except json.JSONDecodeError as err:
        raise PromptSetError(f"{path} is not valid JSON ({err.msg} at line {err.lineno}).") from None
    annotations = data.get("annotations") if isinstance(data, dict) else None
    if not isinstance(annotations, list) or not all(isinstance(a, dict) and "caption" in a for a in annotations):
        raise PromptSetError(f"{path} is not a COCO captions file: expected 'annotations' with 'caption' fields.")
    return _clean(path.stem, str(path), ((a["caption"], {"image_id": a.get("image_id")}) for a in annotations))


def detect_format(path: Path) -> str:
    """Guess the format from the suffix (and, for CSV, the I2P columns)."""
    suffix = path.suffix.lower()
    if suffix == ".txt":
        return "txt"
    if suffix == ".jsonl":
        return "jsonl"
    if suffix == ".json":
        return "coco"
    if suffix == ".csv":
        fields, _ = _csv_rows(path)
        return "i2p" if set(fields) >= I2P_COLUMNS else "csv"
    raise PromptSetError(
        f"cannot tell the format of {path}; use .txt, .csv, .jsonl or COCO .json, or name the format (`PATH?format=csv`)."
    )


def load_prompt_file(
    path: str | Path,
    fmt: str | None = None,
    column: str | None = None,
    key: str | None = None,
    categories: Sequence[str] | None = None,
    min_nudity: float | None = None,
) -> PromptSet:
    """Read one prompt file. `fmt` is one of FORMATS (default: guessed from the file)."""
    path = Path(path).expanduser()
    fmt = fmt or detect_format(path)
    if fmt not in FORMATS:
        raise PromptSetError(f"unknown prompt format {fmt!r}; choose one of {FORMATS}.")
    if (categories or min_nudity is not None) and fmt != "i2p":
        raise PromptSetError(f"categories / min_nudity filter I2P files only, but {path} is read as {fmt}.")
    if fmt == "txt":
        return read_txt(path)
    if fmt == "csv":
        return read_csv(path, column)
    if fmt == "jsonl":
        return read_jsonl(path, key)
    if fmt == "i2p":
        return read_i2p(path, categories, min_nudity)
    return read_coco(path)
