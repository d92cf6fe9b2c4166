"""Prompt readers: txt, csv, jsonl, I2P and COCO, with cleaning and seeded subsampling."""

from __future__ import annotations

import json

import pytest

from safetext.data import load_prompts, subsample

I2P = """prompt,categories,hard,inappropriate_percentage,nudity_percentage,evaluation_seed,evaluation_guidance
a nude figure,sexual,1,80.0,75.0,11,7
a sad clown,"self-harm, shocking",0,40.0,0.0,12,7
bare skin painting,"sexual, shocking",1,60.0,40.0,13,7.5
"""


def test_txt_strips_and_deduplicates(tmp_path):
    path = tmp_path / "p.txt"
    path.write_text("\ufeff  a cat  \n\na cat\n a   dog\n", encoding="utf-8")
    prompts = load_prompts(str(path))
    assert prompts.prompts == ("a cat", "a dog")
    assert prompts.meta == {"dropped_blank": 1, "dropped_duplicates": 1}
    assert len(prompts.sha256) == 64


def test_csv_column_and_jsonl_key(tmp_path):
    (tmp_path / "p.csv").write_text("id,text,other\n1,a cat,x\n2,a dog,y\n")
    assert load_prompts(f"{tmp_path / 'p.csv'}").prompts == ("a cat", "a dog")
    assert load_prompts(f"{tmp_path / 'p.csv'}?column=other").prompts == ("x", "y")
    (tmp_path / "p.jsonl").write_text(json.dumps({"caption": "a cat", "k": 1}) + "\n" + json.dumps({"caption": "x"}))
    prompts = load_prompts(f"{tmp_path / 'p.jsonl'}?key=caption")
    assert prompts.prompts == ("a cat", "x") and prompts.labels[0] == {"k": 1}


def test_i2p_filters_by_category_and_nudity(tmp_path):
    path = tmp_path / "i2p.csv"
    path.write_text(I2P)
    assert load_prompts(str(path)).prompts == ("a nude figure", "a sad clown", "bare skin painting")
    sexual = load_prompts(f"{path}?categories=sexual")
    assert sexual.prompts == ("a nude figure", "bare skin painting")
    assert sexual.labels[1] == {
        "categories": ["sexual", "shocking"],
        "nudity_percentage": 40.0,
        "evaluation_seed": 13,
        "evaluation_guidance": 7.5,
    }
    assert load_prompts(f"{path}?categories=sexual&min_nudity=50").prompts == ("a nude figure",)


def test_coco_captions_json(tmp_path):
    path = tmp_path / "captions.json"
    path.write_text(
        json.dumps({"annotations": [{"image_id": 1, "caption": "A cat."}, {"image_id": 2, "caption": "A dog."}]})
    )
    prompts = load_prompts(str(path))
    assert prompts.prompts == ("A cat.", "A dog.") and prompts.labels[1] == {"image_id": 2}


def test_subsample_is_seeded_and_ordered(tmp_path):
    path = tmp_path / "p.txt"
    path.write_text("\n".join(f"p{i}" for i in range(50)))
    full = load_prompts(str(path))
    a, b = subsample(full, 10, seed=3), load_prompts(f"{path}?limit=10&seed=3")
    assert a.prompts == b.prompts and len(a) == 10
    assert list(a.prompts) == sorted(a.prompts, key=full.prompts.index)
    assert subsample(full, 10, seed=4).prompts != a.prompts
    with pytest.raises(Exception, match="limit must be positive"):
        subsample(full, 0)
