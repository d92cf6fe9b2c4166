"""Architectures of MiniWorld's diffusion module (configs only; weights come from training or assets)."""

from __future__ import annotations

from typing import Any

VAE_CONFIG: dict[str, Any] = {
    "in_channels": 3,
    "out_channels": 3,
    "down_block_types": ("DownEncoderBlock2D", "DownEncoderBlock2D"),
    "up_block_types": ("UpDecoderBlock2D", "UpDecoderBlock2D"),
    "block_out_channels": (32, 64),
    "layers_per_block": 1,
    "latent_channels": 4,
    "norm_num_groups": 16,
    "sample_size": 32,
    "mid_block_add_attention": False,
}
UNET_CONFIG: dict[str, Any] = {
    "sample_size": 16,
    "in_channels": 4,
    "out_channels": 4,
    "block_out_channels": (32, 64, 128),
    "layers_per_block": 1,
    "down_block_types": ("DownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D"),
    "up_block_types": ("CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "UpBlock2D"),
    "cross_attention_dim": 384,
    "attention_head_dim": 8,
    "norm_num_groups": 16,
}
SCHEDULER_CONFIG: dict[str, Any] = {
    "num_train_timesteps": 1000,
    "beta_start": 0.00085,
    "beta_end": 0.012,
    "beta_schedule": "scaled_linear",
    "clip_sample": False,
    "prediction_type": "epsilon",
}
DDIM_EXTRA: dict[str, Any] = {"set_alpha_to_one": False, "steps_offset": 1}


def new_vae():
    """A randomly initialised MiniWorld AutoencoderKL (32x32 RGB <-> 16x16x4)."""
    from diffusers import AutoencoderKL

    return AutoencoderKL(**VAE_CONFIG)


def new_unet():
    """A randomly initialised MiniWorld UNet2DConditionModel (cross-attention dim 384, ~4.6M params)."""
    from diffusers import UNet2DConditionModel

    return UNet2DConditionModel(**UNET_CONFIG)


def train_scheduler():
    """The noise schedule the UNet is trained with."""
    from diffusers import DDPMScheduler

    return DDPMScheduler(**SCHEDULER_CONFIG)


def sample_scheduler():
    """The sampler shipped in the pipeline (same betas)."""
    from diffusers import DDIMScheduler

    return DDIMScheduler(**SCHEDULER_CONFIG, **DDIM_EXTRA)
