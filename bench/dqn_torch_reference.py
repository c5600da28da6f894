"""PyTorch reference for bench/dqn-train.bench.ts: the same DQN network and train step on one core.

Item table 50k x 64 (+ bias column, sparse updates), GRU 64 over item embedding + one-hot behaviour,
hour and a constant 1, Q(s, a) = [h Wq, 1] . E[a] + w . features(s, a), a target network for
max_a' Q(s', a') over 20 next candidates, a sampled-softmax next-item head (in-batch positives + 128
negatives), Adam (dense) + SparseAdam (tables), gradient clipping. Modes:
  window:  each of the 256 transitions encodes its own 20-event window (and s' its own window);
  session: one GRU pass over 13 segments of 21 events yields s and s' for 256 transitions.
Prints one JSON object: {"transitionsPerSec.window": ..., "transitionsPerSec.session": ...}.
Usage: python3 bench/dqn_torch_reference.py [--json] [--quick]
"""
import json
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(0)

QUICK = "--quick" in sys.argv
N_ITEMS = 5_000 if QUICK else 50_000
D, H, L, C, B, NEG, F_HIST = 64, 64, 20, 20, 256, 128, 10
SEG, CONTEXT = 20, 1
EXTRA = 4 + 24 + 1


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.items = nn.Embedding(N_ITEMS, D + 1, sparse=True)
        self.outputs = nn.Embedding(N_ITEMS, D + 1, sparse=True)
        self.gru = nn.GRU(D + EXTRA, H, batch_first=True)
        self.wq = nn.Linear(H, D, bias=False)
        self.ws = nn.Linear(H, D, bias=False)
        self.wf = nn.Linear(F_HIST, 1, bias=False)

    def inputs(self, items, extra):
        return torch.cat([self.items(items)[..., :D], extra], dim=-1)

    def states(self, items, extra):
        out, _ = self.gru(self.inputs(items, extra))
        return out  # [N, T, H]

    def q_state(self, h):
        return torch.cat([self.wq(h), torch.ones(h.shape[0], 1)], dim=1)


def extra_columns(n, t):
    e = torch.zeros(n, t, EXTRA)
    e[torch.arange(n)[:, None], torch.arange(t)[None, :], torch.randint(0, 4, (n, t))] = 1
    e[torch.arange(n)[:, None], torch.arange(t)[None, :], 4 + torch.randint(0, 24, (n, t))] = 1
    e[..., -1] = 1
    return e


def train_step(online, target, dense_opt, sparse_opt, mode):
    actions = torch.randint(0, N_ITEMS, (B,))
    rewards = torch.rand(B)
    terminated = (torch.rand(B) < 0.05).float()
    next_candidates = torch.randint(0, N_ITEMS, (B, C))
    feats = torch.rand(B, F_HIST)
    next_feats = torch.rand(B, C, F_HIST)
    positives = torch.randint(0, N_ITEMS, (B,))
    with torch.no_grad():
        if mode == "window":
            items_next = torch.randint(0, N_ITEMS, (B, L))
            h_next = target.states(items_next, extra_columns(B, L))[:, -1]
        else:
            n_seq = (B + SEG - 1) // SEG
            items_seq = torch.randint(0, N_ITEMS, (n_seq, CONTEXT + SEG))
            h_next = target.states(items_seq, extra_columns(n_seq, CONTEXT + SEG))[:, CONTEXT:].reshape(-1, H)[:B]
        qs_next = target.q_state(h_next)
        q_next = torch.einsum("bd,bcd->bc", qs_next, target.items(next_candidates)) + target.wf(next_feats).squeeze(-1)
        y = rewards + 0.9 * (1 - terminated) * q_next.max(dim=1).values
    if mode == "window":
        h = online.states(torch.randint(0, N_ITEMS, (B, L)), extra_columns(B, L))[:, -1]
    else:
        n_seq = (B + SEG - 1) // SEG
        out = online.states(torch.randint(0, N_ITEMS, (n_seq, CONTEXT + SEG - 1)), extra_columns(n_seq, CONTEXT + SEG - 1))
        h = out[:, CONTEXT - 1:].reshape(-1, H)[:B]
    q = (online.q_state(h) * online.items(actions)).sum(1) + online.wf(feats).squeeze(-1)
    td = F.mse_loss(q, y)
    unique = torch.unique(torch.cat([positives, torch.randint(0, N_ITEMS, (NEG,))]))
    labels = torch.searchsorted(unique, positives)
    ss = torch.cat([online.ws(h), torch.ones(B, 1)], dim=1)
    logits = ss @ online.outputs(unique).t()
    loss = td + F.cross_entropy(logits, labels)
    dense_opt.zero_grad()
    sparse_opt.zero_grad()
    loss.backward()
    nn.utils.clip_grad_norm_([p for n, p in online.named_parameters() if n not in ("items.weight", "outputs.weight")], 10.0)
    dense_opt.step()
    sparse_opt.step()
    return float(loss)


def measure(mode, steps, warmup):
    online, target = Net(), Net()
    target.load_state_dict(online.state_dict())
    dense = [p for n, p in online.named_parameters() if n not in ("items.weight", "outputs.weight")]
    dense_opt = torch.optim.Adam(dense, lr=1e-3)
    sparse_opt = torch.optim.SparseAdam([online.items.weight, online.outputs.weight], lr=1e-3)
    for _ in range(warmup):
        train_step(online, target, dense_opt, sparse_opt, mode)
    start = time.perf_counter()
    for _ in range(steps):
        train_step(online, target, dense_opt, sparse_opt, mode)
    return B * steps / (time.perf_counter() - start)


def main():
    steps, warmup = (3, 1) if QUICK else (100, 100)
    result = {
        "transitionsPerSec.window": measure("window", steps, warmup),
        "transitionsPerSec.session": measure("session", steps, warmup),
    }
    if "--json" in sys.argv:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key}: {value:,.0f} transitions/s (torch {torch.__version__}, 1 thread)")


if __name__ == "__main__":
    main()
