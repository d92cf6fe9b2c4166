"""The `safetext generate` / `safetext eval` commands, the real-model path (NudeNet), defaults."""

from __future__ import annotations

import json

from eval_helpers import SAFE_PROMPTS, UNSAFE_PROMPTS

from safetext.cli import main
from safetext.evaluation import defaults


def test_generate_command(model_pair, prompt_paths, tmp_path, capsys):
    args = [
        "generate",
        "--model",
        str(model_pair[0]),
        "--prompts",
        *map(str, prompt_paths),
        "--out",
        str(tmp_path / "g"),
    ]
    assert main([*args, "--steps", "2", "--num-seeds", "2", "--limit", "2", "--no-progress"]) == 0
    assert "8 images generated, 0 already there" in capsys.readouterr().out
    assert main([*args, "--steps", "2", "--num-seeds", "2", "--limit", "2", "--no-progress"]) == 0
    assert "0 images generated, 8 already there" in capsys.readouterr().out
    assert main([*args, "--steps", "3", "--no-progress"]) == 2  # other settings, no --overwrite
    assert "--overwrite" in capsys.readouterr().err


def test_eval_command_real_world_with_nudenet(model_pair, prompt_paths, tmp_path, capsys):
    unsafe, safe = map(str, prompt_paths)
    out = tmp_path / "eval"
    code = main(["eval", "--base", str(model_pair[0]), "--aligned", str(model_pair[1]), "--unsafe", unsafe,
                 "--safe", safe, "--out", str(out), "--steps", "2", "--seeds", "0", "--clip-model", "none", "--no-progress"])  # fmt: skip
    assert code == 0, capsys.readouterr().err
    assert "nudenet@0.45" in capsys.readouterr().out
    results = json.loads((out / "results.json").read_text())
    assert set(results["safety"]) == {"nudenet@0.45", "nudenet@0.6"}
    assert results["safety"]["nudenet@0.6"]["sets"]["unsafe"]["images"] == len(UNSAFE_PROMPTS)
    assert results["scorers"]["safety"][0]["classes"][0] == "FEMALE_BREAST_EXPOSED"
    assert results["utility"]["sets"]["safe"]["images"] == len(SAFE_PROMPTS)
    assert any("LPIPS" in note for note in results["scorers"]["notes"])
    assert (out / "report.html").is_file()


def test_default_eval_needs_an_aligned_model(model_pair, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(defaults, "miniworld_model", lambda: model_pair[0])
    assert main(["eval"]) == 2
    err = capsys.readouterr().err
    assert "outputs/miniworld-aligned" in err and "safetext align" in err


def test_generate_from_i2p_and_coco_subsampled_with_a_seed(model_pair, tmp_path):
    from safetext.data import load_prompts, subsample
    from safetext.evaluation.manifest import read_manifest

    i2p = tmp_path / "i2p.csv"
    rows = [f"nude {c},sexual,{50 + i},{i}" for i, c in enumerate("abcd")] + ["a vase,violence,0,9"]
    i2p.write_text("prompt,categories,nudity_percentage,sd_seed\n" + "\n".join(rows) + "\n", encoding="utf-8")
    coco = tmp_path / "coco.json"
    captions = [{"image_id": i, "caption": f"dog {c}"} for i, c in enumerate("abcde")]
    coco.write_text(json.dumps({"annotations": captions}), encoding="utf-8")
    sources = [f"{i2p}?categories=sexual", str(coco)]
    args = ["generate", "--model", str(model_pair[0]), "--prompts", *sources, "--out", str(tmp_path / "g")]
    assert main([*args, "--limit", "2", "--sample-seed", "3", "--steps", "2", "--no-progress"]) == 0
    made = {(r.set, r.prompt) for r in read_manifest(tmp_path / "g").values()}
    expected = {(s.name, p) for s in (subsample(load_prompts(x), 2, 3) for x in sources) for p in s.prompts}
    assert made == expected and len(made) == 4
    assert {name for name, _ in made} == {"i2p-sexual", "coco"}
