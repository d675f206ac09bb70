"""Fine-tuning the MiniLM encoder for intents (torch), and its export to ONNX.

Only ``assistant train`` imports this module (it imports torch); serving never does.
Choices that keep training inside the 15-minute budget on a 2-core CPU: batches grouped
by length (little padding), frozen embeddings and bottom layer (no backward pass below
layer 1, no optimiser step over the vocabulary matrix), a one-cycle schedule that reaches a good optimum in few
epochs, and label smoothing, which also helps calibration.
"""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Sequence

import numpy as np
import torch
from tqdm.auto import tqdm
from transformers import AutoModel, AutoTokenizer, PreTrainedTokenizerBase


@dataclass(frozen=True)
class FinetuneConfig:
    epochs: int = 3
    learning_rate: float = 1.5e-4
    head_lr_multiplier: float = 20.0
    batch_size: int = 32
    max_length: int = 128  # realistic tickets run to ~100 tokens; batches are length-bucketed
    label_smoothing: float = 0.1
    weight_decay: float = 0.01
    frozen_layers: int = 1  # embeddings + this many bottom transformer layers stay fixed
    encoder_layers: int = 0  # keep only the bottom N transformer layers (0: all of them)
    seed: int = 13

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass
class FinetuneResult:
    head_weight: np.ndarray  # (classes, dim)
    head_bias: np.ndarray  # (classes,)


def _length_bucketed_batches(
    lengths: Sequence[int], batch_size: int, rng: random.Random
) -> list[list[int]]:
    idx = list(range(len(lengths)))
    rng.shuffle(idx)
    chunk = batch_size * 50
    batches: list[list[int]] = []
    for start in range(0, len(idx), chunk):
        part = sorted(idx[start : start + chunk], key=lambda i: lengths[i])
        batches.extend(part[k : k + batch_size] for k in range(0, len(part), batch_size))
    rng.shuffle(batches)
    return batches


def finetune_and_export(
    base_model: Path,
    texts: Sequence[str],
    y: np.ndarray,
    n_classes: int,
    out_dir: Path,
    config: FinetuneConfig,
    threads: int = 0,
    progress: bool = True,
) -> FinetuneResult:
    """Fine-tune the encoder with a linear head; write ``encoder.onnx`` + tokenizer to out_dir.

    Returns the head (kept in numpy so the ONNX graph is a plain sentence encoder).
    """
    if threads:
        torch.set_num_threads(threads)
    torch.manual_seed(config.seed)
    rng = random.Random(config.seed)

    tokenizer = AutoTokenizer.from_pretrained(str(base_model), local_files_only=True)
    encoder = AutoModel.from_pretrained(
        str(base_model), local_files_only=True, attn_implementation="eager"
    )
    if 0 < config.encoder_layers < len(encoder.encoder.layer):
        # Dropping top layers before fine-tuning (Sajjad et al. 2020, "Poor Man's BERT")
        # trades a little accuracy for proportionally faster inference.
        encoder.encoder.layer = encoder.encoder.layer[: config.encoder_layers]
        encoder.config.num_hidden_layers = config.encoder_layers
    model = _PooledClassifier(encoder, n_classes)
    # Freezing the embeddings and the lowest layer cuts a step by ~30% (no backward pass
    # below it, no optimiser update of the 12M-parameter vocabulary matrix).
    frozen = [encoder.embeddings, *encoder.encoder.layer[: config.frozen_layers]]
    for module in frozen:
        module.requires_grad_(False)

    enc_params = [p for p in encoder.parameters() if p.requires_grad]
    head_lr = config.learning_rate * config.head_lr_multiplier
    optimiser = torch.optim.AdamW(
        [
            {"params": enc_params, "lr": config.learning_rate},
            {"params": model.head.parameters(), "lr": head_lr},
        ],
        weight_decay=config.weight_decay,
    )
    lengths = [len(t) for t in texts]
    steps_per_epoch = (len(texts) + config.batch_size - 1) // config.batch_size
    schedule = torch.optim.lr_scheduler.OneCycleLR(
        optimiser,
        max_lr=[config.learning_rate, head_lr],
        total_steps=config.epochs * steps_per_epoch,
        pct_start=0.1,
        anneal_strategy="linear",
    )
    loss_fn = torch.nn.CrossEntropyLoss(label_smoothing=config.label_smoothing)
    targets = torch.as_tensor(y, dtype=torch.long)

    bar = tqdm(
        total=config.epochs * steps_per_epoch,
        desc="fine-tuning encoder",
        unit="batch",
        disable=None if progress else True,  # None: only on a terminal
    )
    model.train()
    for epoch in range(config.epochs):
        for batch in _length_bucketed_batches(lengths, config.batch_size, rng):
            enc = tokenizer(
                [texts[i] for i in batch],
                padding=True,
                truncation=True,
                max_length=config.max_length,
                return_tensors="pt",
            )
            loss = loss_fn(model(enc["input_ids"], enc["attention_mask"]), targets[batch])
            optimiser.zero_grad(set_to_none=True)
            loss.backward()
            optimiser.step()
            schedule.step()
            bar.update(1)
            bar.set_postfix(epoch=epoch + 1, loss=f"{loss.item():.3f}")
    bar.close()
    model.eval()

    out_dir.mkdir(parents=True, exist_ok=True)
    export_onnx(_PooledEncoder(encoder).eval(), tokenizer, out_dir / "encoder.onnx")
    tokenizer.backend_tokenizer.save(str(out_dir / "tokenizer.json"))
    return FinetuneResult(
        head_weight=model.head.weight.detach().numpy().astype(np.float32),
        head_bias=model.head.bias.detach().numpy().astype(np.float32),
    )


def export_onnx(
    pooled_encoder: torch.nn.Module, tokenizer: PreTrainedTokenizerBase, path: Path
) -> None:
    """Export with the dynamo exporter: the legacy tracer bakes the attention-mask shape in."""
    sample = tokenizer(
        ["an example ticket about a card payment", "hi"], padding=True, return_tensors="pt"
    )
    batch = torch.export.Dim("batch", max=4096)
    seq = torch.export.Dim("sequence", max=512)
    torch.onnx.export(
        pooled_encoder,
        (sample["input_ids"], sample["attention_mask"]),
        str(path),
        input_names=["input_ids", "attention_mask"],
        output_names=["sentence_embedding"],
        dynamic_shapes={"input_ids": {0: batch, 1: seq}, "attention_mask": {0: batch, 1: seq}},
        dynamo=True,
        external_data=False,
        verbose=False,
    )


def _mean_pool(hidden: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    m = mask.unsqueeze(-1).to(hidden.dtype)
    return (hidden * m).sum(1) / m.sum(1).clamp(min=1e-9)


class _PooledEncoder(torch.nn.Module):
    """Encoder + mean pooling: the graph that is exported and served."""

    def __init__(self, encoder: torch.nn.Module) -> None:
        super().__init__()
        self.encoder = encoder

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask)
        return _mean_pool(hidden.last_hidden_state, attention_mask)


class _PooledClassifier(_PooledEncoder):
    """The training-time model: pooled encoder, dropout, linear head."""

    def __init__(self, encoder: torch.nn.Module, n_classes: int) -> None:
        super().__init__(encoder)
        self.dropout = torch.nn.Dropout(0.1)
        self.head = torch.nn.Linear(encoder.config.hidden_size, n_classes)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        return self.head(self.dropout(super().forward(input_ids, attention_mask)))
