"""Every bad input gets a clear message naming the problem and the fix, never a deep traceback."""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

import pytest

from safetext.alignment import align
from safetext.cli import main
from safetext.config import AlignConfig
from safetext.errors import ModelLoadError, OutputExistsError, PromptSetError, SafeTextError
from safetext.models import load_text_side


def _align(model, prompt_files, out, **kw):
    unsafe, safe = prompt_files
    options = dict(steps=2, batch_size=4, progress=False)
    options.update(kw)
    return align(AlignConfig(model=str(model), unsafe=str(unsafe), safe=str(safe), out=str(out), **options))


def _copy_model(tiny_model_dir, tmp_path: Path, kind: str = "sd1") -> Path:
    folder = tmp_path / "model"
    shutil.copytree(tiny_model_dir(kind), folder)
    return folder


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda tmp: tmp / "missing", "model not found"),
        (lambda tmp: tmp, "not a diffusers pipeline folder (no model_index.json)"),
        (lambda tmp: (tmp / "m.ckpt").write_bytes(b"x") and tmp / "m.ckpt", "pickle checkpoint"),
        (lambda tmp: (tmp / "m.onnx").write_bytes(b"x") and tmp / "m.onnx", "is not a model"),
    ],
)
def test_model_path_errors(make, message, tmp_path):
    with pytest.raises(ModelLoadError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_text_side(make(tmp_path))


def test_hub_unreachable_is_explained(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(ModelLoadError, match="cannot reach the hub"):
        load_text_side("safetext-tests/no-such-model")


def test_missing_text_encoder(tiny_model_dir, tmp_path):
    model = _copy_model(tiny_model_dir, tmp_path)
    index = json.loads((model / "model_index.json").read_text())
    index["text_encoder"] = [None, None]
    (model / "model_index.json").write_text(json.dumps(index))
    with pytest.raises(ModelLoadError, match="no `text_encoder` component"):
        load_text_side(model)


def test_text_encoder_folder_missing(tiny_model_dir, tmp_path):
    model = _copy_model(tiny_model_dir, tmp_path)
    shutil.rmtree(model / "text_encoder")
    with pytest.raises(ModelLoadError, match="folder .* is missing"):
        load_text_side(model)


def test_tokenizer_encoder_mismatch(tiny_model_dir, tmp_path):
    model = _copy_model(tiny_model_dir, tmp_path)
    config_file = model / "tokenizer" / "tokenizer_config.json"
    config = json.loads(config_file.read_text())
    config["model_max_length"] = 77
    config_file.write_text(json.dumps(config))
    with pytest.raises(ModelLoadError, match="pads to 77 tokens but the encoder has 16 positions"):
        load_text_side(model)


def test_unsupported_pipeline(tiny_model_dir, tmp_path):
    model = _copy_model(tiny_model_dir, tmp_path)
    index = json.loads((model / "model_index.json").read_text())
    index["_class_name"] = "SomeVideoPipeline"
    (model / "model_index.json").write_text(json.dumps(index))
    with pytest.raises(ModelLoadError, match="SomeVideoPipeline pipeline; SafeText supports"):
        load_text_side(model)


def test_prompt_in_both_sets_is_named(tiny_model_dir, tmp_path):
    unsafe, safe = tmp_path / "u.txt", tmp_path / "s.txt"
    unsafe.write_text("nude a\ncat b\n")
    safe.write_text("cat b\ncat c\n")
    with pytest.raises(PromptSetError, match="'cat b'"):
        _align(tiny_model_dir("sd1"), (unsafe, safe), tmp_path / "out")


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"\n  \n", "empty.txt", "is empty"),
        (b"caf\xe9\n", "latin1.txt", "not valid UTF-8"),
        (b"words\nhello\n", "no_column.csv", "no column named prompt / text / caption"),
        (b'{"prompt": "a"}\nnot json\n', "bad.jsonl", "line 2: not valid JSON"),
        (b"a\n", "prompts.parquet", "cannot tell the format"),
    ],
)
def test_prompt_file_errors(content, name, message, tmp_path):
    from safetext.data import load_prompts

    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(PromptSetError, match=message):
        load_prompts(str(path))


def test_missing_prompt_file_and_unknown_option(tmp_path):
    from safetext.data import load_prompts

    with pytest.raises(PromptSetError, match="prompt file not found"):
        load_prompts(str(tmp_path / "nope.txt"))
    (tmp_path / "p.txt").write_text("a\n")
    with pytest.raises(PromptSetError, match=r"unknown prompt option\(s\) \['colum'\]"):
        load_prompts(f"{tmp_path / 'p.txt'}?colum=x")


def test_truncation_is_warned_with_count(tiny_model_dir, tmp_path, caplog):
    unsafe, safe = tmp_path / "u.txt", tmp_path / "s.txt"
    unsafe.write_text("nude a\na very long unsafe prompt that cannot fit\n")
    safe.write_text("cat a\n")
    with caplog.at_level(logging.WARNING):
        _align(tiny_model_dir("sd1"), (unsafe, safe), tmp_path / "out")
    assert "1 of 2 prompts in 'u' exceed the tokenizer limit" in caplog.text


def test_existing_output_is_not_clobbered(tiny_model_dir, prompt_files, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "mine.txt").write_text("keep me")
    with pytest.raises(OutputExistsError, match="already exists; choose another --out or pass --overwrite"):
        _align(tiny_model_dir("sd1"), prompt_files, out)
    assert (out / "mine.txt").read_text() == "keep me"
    _align(tiny_model_dir("sd1"), prompt_files, out, overwrite=True)
    assert (out / "model_index.json").exists() and not (out / "mine.txt").exists()


def test_interrupted_run_needs_resume_or_overwrite(tiny_model_dir, prompt_files, tmp_path):
    out = tmp_path / "out"
    with pytest.raises(SafeTextError, match="nothing to resume"):
        _align(tiny_model_dir("sd1"), prompt_files, out, resume=True)
    partial = tmp_path / "out.partial"
    partial.mkdir()
    (partial / "config.json").write_text(json.dumps({"lr": 1.0}))
    with pytest.raises(OutputExistsError, match="pass --resume to continue it or --overwrite"):
        _align(tiny_model_dir("sd1"), prompt_files, out)
    with pytest.raises(SafeTextError, match="different options than the interrupted run"):
        _align(tiny_model_dir("sd1"), prompt_files, out, resume=True)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"lam": -1.0}, "lambda must be >= 0"),
        ({"train": "layers:2"}, "unknown trainable-parameter spec"),
        ({"encoders": ["text_encoder_3"]}, r"unknown encoder\(s\) \['text_encoder_3'\]"),
        ({"train": "last:9"}, "out of range: the encoder has 3 layers"),
        ({"device": "cuda:0"}, "no CUDA GPU is available"),
    ],
)
def test_bad_options(options, message, tiny_model_dir, prompt_files, tmp_path):
    if options.get("device") and __import__("torch").cuda.is_available():
        pytest.skip("a GPU is present")
    with pytest.raises(SafeTextError, match=message):
        _align(tiny_model_dir("sd1"), prompt_files, tmp_path / "out", **options)


def test_cli_prints_message_without_traceback(tmp_path, capsys):
    code = main(["align", "--model", str(tmp_path / "missing"), "--unsafe", "u", "--safe", "s", "--out", "o"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("error: model not found") and "Traceback" not in err


def test_cli_model_without_prompts(tmp_path, capsys):
    assert main(["align", "--model", str(tmp_path)]) == 2
    assert "with --model, also give --unsafe, --safe, --out" in capsys.readouterr().err


def test_single_file_that_is_not_a_checkpoint(tmp_path):
    from safetensors.torch import save_file

    save_file({"x": __import__("torch").zeros(2)}, tmp_path / "model.safetensors")
    with pytest.raises(ModelLoadError, match="could not load single-file checkpoint"):
        load_text_side(tmp_path / "model.safetensors")
