"""Tiny SD 1.x / SD 2.x / SDXL pipelines with random weights, built offline from configs.

They have the real component classes and wiring of the full models (CLIP tokenizers and
encoders, UNet2DConditionModel, AutoencoderKL, schedulers), shrunk to run in well under a
second on a CPU. Seeded: the same kind and seed always give the same weights.
"""

from __future__ import annotations

import torch
from diffusers import (
    AutoencoderKL,
    DDIMScheduler,
    EulerDiscreteScheduler,
    StableDiffusionPipeline,
    StableDiffusionXLPipeline,
    UNet2DConditionModel,
)
from diffusers.pipelines.pipeline_utils import DiffusionPipeline
from transformers import CLIPTextConfig, CLIPTextModel, CLIPTextModelWithProjection, CLIPTokenizer

TINY_KINDS = ("sd1", "sd2", "sdxl")
TOKEN_LENGTH = 16
WORD_MERGES = ("a n", "t h", "th e</w>", "i n", "o n", "e r", "r e")


def _byte_symbols() -> list[str]:
    """The 256 printable stand-ins byte-level BPE uses for raw bytes (GPT-2 / CLIP convention)."""
    printable = [
        *range(ord("!"), ord("~") + 1),
        *range(ord("¡"), ord("¬") + 1),
        *range(ord("®"), ord("ÿ") + 1),
    ]
    unprintable = [b for b in range(256) if b not in printable]
    return [chr(b) for b in printable] + [chr(256 + i) for i in range(len(unprintable))]


def tiny_clip_tokenizer(max_length: int = TOKEN_LENGTH) -> CLIPTokenizer:
    """A real byte-level BPE CLIP tokenizer over single bytes plus a few merges."""
    symbols = _byte_symbols()
    tokens = symbols + [s + "</w>" for s in symbols]
    for merge in WORD_MERGES:
        tokens.append(merge.replace(" ", ""))
    tokens += ["<|startoftext|>", "<|endoftext|>"]
    vocab = {token: i for i, token in enumerate(dict.fromkeys(tokens))}
    tokenizer = CLIPTokenizer(vocab=vocab, merges=[tuple(m.split()) for m in WORD_MERGES])
    tokenizer.model_max_length = max_length
    return tokenizer


def _clip_config(tokenizer: CLIPTokenizer, hidden: int, layers: int, **extra: object) -> CLIPTextConfig:
    return CLIPTextConfig(
        vocab_size=len(tokenizer),
        hidden_size=hidden,
        intermediate_size=2 * hidden,
        num_hidden_layers=layers,
        num_attention_heads=4,
        max_position_embeddings=tokenizer.model_max_length,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
        **extra,
    )


def _vae() -> AutoencoderKL:
    return AutoencoderKL(
        block_out_channels=(8, 16),
        in_channels=3,
        out_channels=3,
        down_block_types=("DownEncoderBlock2D",) * 2,
        up_block_types=("UpDecoderBlock2D",) * 2,
        latent_channels=4,
        norm_num_groups=4,
        sample_size=32,
    )


def _unet(cross_attention_dim: int, **extra: object) -> UNet2DConditionModel:
    return UNet2DConditionModel(
        block_out_channels=(8, 16),
        layers_per_block=1,
        sample_size=16,
        in_channels=4,
        out_channels=4,
        down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"),
        up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"),
        cross_attention_dim=cross_attention_dim,
        attention_head_dim=2,
        norm_num_groups=4,
        **extra,
    )


def tiny_pipeline(kind: str = "sd1", seed: int = 0) -> DiffusionPipeline:
    """Build a tiny pipeline of `kind` ('sd1', 'sd2' or 'sdxl') with seeded random weights."""
    if kind not in TINY_KINDS:
        raise ValueError(f"unknown tiny pipeline kind {kind!r}; choose one of {TINY_KINDS}")
    torch.manual_seed(seed)
    tokenizer = tiny_clip_tokenizer()
    if kind == "sd1":
        text_encoder = CLIPTextModel(_clip_config(tokenizer, 32, 3))
        scheduler = DDIMScheduler(beta_schedule="scaled_linear", clip_sample=False, set_alpha_to_one=False)
        return StableDiffusionPipeline(
            vae=_vae(), text_encoder=text_encoder, tokenizer=tokenizer, unet=_unet(32),
            scheduler=scheduler, safety_checker=None, feature_extractor=None, requires_safety_checker=False,
        )  # fmt: skip
    if kind == "sd2":
        text_encoder = CLIPTextModel(_clip_config(tokenizer, 48, 3, hidden_act="gelu", projection_dim=48))
        scheduler = DDIMScheduler(
            beta_schedule="scaled_linear",
            clip_sample=False,
            set_alpha_to_one=False,
            prediction_type="v_prediction",
        )
        return StableDiffusionPipeline(
            vae=_vae(), text_encoder=text_encoder, tokenizer=tokenizer,
            unet=_unet(48, use_linear_projection=True), scheduler=scheduler,
            safety_checker=None, feature_extractor=None, requires_safety_checker=False,
        )  # fmt: skip
    tokenizer_2 = tiny_clip_tokenizer()
    text_encoder = CLIPTextModel(_clip_config(tokenizer, 32, 3))
    text_encoder_2 = CLIPTextModelWithProjection(_clip_config(tokenizer_2, 32, 3, projection_dim=32))
    unet = _unet(
        64,
        addition_embed_type="text_time",
        addition_time_embed_dim=8,
        projection_class_embeddings_input_dim=6 * 8 + 32,
        use_linear_projection=True,
    )
    return StableDiffusionXLPipeline(
        vae=_vae(), text_encoder=text_encoder, text_encoder_2=text_encoder_2, tokenizer=tokenizer,
        tokenizer_2=tokenizer_2, unet=unet, scheduler=EulerDiscreteScheduler(), force_zeros_for_empty_prompt=True,
    )  # fmt: skip
