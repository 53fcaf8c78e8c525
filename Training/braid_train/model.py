"""A small Llama-architecture decoder, written to match BraidTransformer's forward pass exactly:
RMSNorm (x / sqrt(mean(x^2) + eps) * w), RoPE on adjacent pairs (x[2i], x[2i+1]) with
theta_i = pos * base^(-2i/headDim) (Braid's `.adjacent` style for architecture `llama`, so Q/K rows are
exported as they are, without llama.cpp's permutation), SwiGLU feed-forward, no biases, head tied to the
token embedding. With `thought_slots` > 0 every layer also has ParaThinker's thought embeddings T (one row
of head_dim per thought index, Eq. 4-5 of the paper): k~ = R(k + T[j]), v~ = v + T[j], broadcast over heads,
j being the token's segment's thought index, exactly as BraidTransformer applies `blk.N.thought_embd`."""
from dataclasses import dataclass, asdict
import math
import torch
import torch.nn as nn
import torch.nn.functional as F


@dataclass
class Config:
    vocab: int
    dim: int = 128
    layers: int = 4
    heads: int = 4
    ffn: int = 384
    context: int = 1024
    rope_base: float = 10000.0
    eps: float = 1e-5
    thought_slots: int = 0

    @property
    def head_dim(self):
        return self.dim // self.heads

    def to_dict(self):
        return asdict(self)


class RMSNorm(nn.Module):
    def __init__(self, dim, eps):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(dim))

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


def rope_tables(head_dim, positions, base):
    """cos/sin of shape [T, head_dim/2] for integer positions [T], or [B, 1, T, head_dim/2] for per-row
    positions [B, T] (angles formed in float64, as Braid does)."""
    inv = 1.0 / (base ** (torch.arange(0, head_dim, 2, dtype=torch.float64) / head_dim))
    theta = positions.to(torch.float64)[..., None] * inv
    if theta.dim() == 3:
        theta = theta[:, None]
    return torch.cos(theta).float(), torch.sin(theta).float()


def apply_rope(x, cos, sin):
    """x: [B, H, T, D]; rotates adjacent pairs (x[2i], x[2i+1])."""
    a, b = x[..., 0::2], x[..., 1::2]
    ra = a * cos - b * sin
    rb = a * sin + b * cos
    return torch.stack((ra, rb), dim=-1).flatten(-2)


class Block(nn.Module):
    def __init__(self, c: Config):
        super().__init__()
        self.c = c
        self.attn_norm = RMSNorm(c.dim, c.eps)
        self.wq = nn.Linear(c.dim, c.dim, bias=False)
        self.wk = nn.Linear(c.dim, c.dim, bias=False)
        self.wv = nn.Linear(c.dim, c.dim, bias=False)
        self.wo = nn.Linear(c.dim, c.dim, bias=False)
        self.ffn_norm = RMSNorm(c.dim, c.eps)
        self.gate = nn.Linear(c.dim, c.ffn, bias=False)
        self.up = nn.Linear(c.dim, c.ffn, bias=False)
        self.down = nn.Linear(c.ffn, c.dim, bias=False)
        if c.thought_slots > 0:
            self.thought = nn.Parameter(torch.zeros(c.thought_slots, c.head_dim))

    def forward(self, x, cos, sin, mask, thoughts=None):
        B, T, _ = x.shape
        H, D = self.c.heads, self.c.head_dim
        h = self.attn_norm(x)
        q = self.wq(h).view(B, T, H, D).transpose(1, 2)
        k = self.wk(h).view(B, T, H, D).transpose(1, 2)
        v = self.wv(h).view(B, T, H, D).transpose(1, 2)
        if self.c.thought_slots > 0:
            t = self.thought[thoughts if thoughts is not None else torch.zeros(B, T, dtype=torch.long)]
            k, v = k + t[:, None], v + t[:, None]  # [B, 1, T, D]: the same row for every head
        q, k = apply_rope(q, cos, sin), apply_rope(k, cos, sin)
        a = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, is_causal=mask is None)
        x = x + self.wo(a.transpose(1, 2).reshape(B, T, H * D))
        h = self.ffn_norm(x)
        return x + self.down(F.silu(self.gate(h)) * self.up(h))


class Decoder(nn.Module):
    def __init__(self, c: Config):
        super().__init__()
        self.c = c
        self.embed = nn.Embedding(c.vocab, c.dim)
        self.blocks = nn.ModuleList(Block(c) for _ in range(c.layers))
        self.norm = RMSNorm(c.dim, c.eps)
        self.apply(self._init)
        for b in self.blocks:  # GPT-2's scaled init of the residual projections
            nn.init.normal_(b.wo.weight, std=0.02 / math.sqrt(2 * c.layers))
            nn.init.normal_(b.down.weight, std=0.02 / math.sqrt(2 * c.layers))
            if c.thought_slots > 0:
                nn.init.normal_(b.thought, std=0.02)  # ParaThinker's init of its segment embeddings

    @staticmethod
    def _init(m):
        if isinstance(m, (nn.Linear, nn.Embedding)):
            nn.init.normal_(m.weight, std=0.02)

    def forward(self, ids, positions=None, mask=None, thoughts=None):
        """ids [B, T] -> logits [B, T, vocab]. positions: [T] or [B, T] (default 0..T-1); mask: optional
        boolean [T, T] or [B, 1, T, T] (True = may attend), default causal; thoughts: [B, T] thought indices
        (default 0; used only by a model with thought embeddings)."""
        T = ids.shape[1]
        if positions is None:
            positions = torch.arange(T)
        cos, sin = rope_tables(self.c.head_dim, positions, self.c.rope_base)
        x = self.embed(ids)
        for b in self.blocks:
            x = b(x, cos, sin, mask, thoughts)
        return self.norm(x) @ self.embed.weight.T

    def parameter_count(self):
        return sum(p.numel() for p in self.parameters())
