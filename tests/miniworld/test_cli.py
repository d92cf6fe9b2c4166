"""`safetext miniworld` sub-commands that run in seconds."""

from __future__ import annotations

from safetext.cli import main


def test_sets_lists_every_prompt_set(capsys):
    assert main(["miniworld", "sets"]) == 0
    out = capsys.readouterr().out
    assert "unsafe-synonyms" in out and "safe-near" in out


def test_render_writes_a_grid(tmp_path):
    out = tmp_path / "g.png"
    assert main(["miniworld", "render", "unsafe-eval", "--out", str(out), "-n", "8"]) == 0
    assert out.is_file()
    assert main(["miniworld", "render", "unsafe-eval", "--out", str(out)]) == 2  # exists, no --overwrite


def test_unknown_prompt_set_is_a_clean_error(tmp_path, capsys):
    assert main(["miniworld", "render", "nope", "--out", str(tmp_path / "x.png")]) == 2
    assert "choose one of" in capsys.readouterr().err


def test_train_detectors_refuses_unknown_models_and_existing_output(tmp_path, capsys):
    assert main(["miniworld", "train-detectors", "--out", str(tmp_path), "--models", "weapon,nudity"]) == 2
    assert "nudity" in capsys.readouterr().err
    (tmp_path / "fire.safetensors").write_bytes(b"mine")
    assert main(["miniworld", "train-detectors", "--out", str(tmp_path), "--models", "fire"]) == 2
    assert "--overwrite" in capsys.readouterr().err
    assert (tmp_path / "fire.safetensors").read_bytes() == b"mine"
