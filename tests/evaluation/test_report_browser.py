"""The HTML report in a real headless browser: loads, every image renders, tables present."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from eval_helpers import FAST

from safetext.evaluation import evaluate

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "check_report_browser.py"


def _checker():
    spec = importlib.util.spec_from_file_location("check_report_browser", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.browser
@pytest.mark.slow
def test_report_renders_in_chromium(model_pair, prompt_paths, tmp_path, cheap_scorers):
    checker = _checker()
    if checker.find_chromium() is None:
        pytest.skip("chromium is not installed (apt-get install chromium)")
    unsafe, safe = prompt_paths
    evaluate(base=str(model_pair[0]), aligned=str(model_pair[1]), unsafe=[str(unsafe)], safe=[str(safe)],
             out=str(tmp_path / "eval"), seeds=[0, 1], scorers=cheap_scorers, **FAST)  # fmt: skip
    result = checker.check_report(tmp_path / "eval" / "report.html", screenshot=tmp_path / "shot.png")
    assert result["ok"], result
    assert result["broken"] == 0 and result["images"] >= 14 * 2  # 14 image pairs + plots
    assert result["tables"] >= 4 and "Summary" in result["headings"]
    assert (tmp_path / "shot.png").stat().st_size > 10_000
