#!/usr/bin/env python3
"""A minimal PyTorch version of one ESAFH training epoch, the baseline esafh-bench
times the C++ trainer against. It is a benchmark baseline only, not part of the
product, and mirrors core/method (trainer.cpp, similarity.cpp, text_graph.cpp,
hash_model.cpp) with the default settings: the same networks, similarity fusion,
attention objective, hash loss, optimisers and end-of-epoch diagnostics.

esafh-bench writes the training features as raw float32 files, runs this script
and reads lines "epoch N: SECONDS s, CPU SECONDS s" from its output.
"""

import argparse
import math
import time

import numpy as np
import torch
import torch.nn.functional as F


def row_normalise(matrix):
    return matrix / matrix.norm(dim=1, keepdim=True).clamp_min(1e-12)


def text_neighbours(texts, k):
    """Find the k nearest other training texts by cosine, ties by index (step 1)."""
    n = texts.shape[0]
    match_count = min(k + 1, n)
    steps = torch.round(texts @ texts.t() * 1e6).long()
    keys = steps * (n + 1) + torch.arange(n, 0, -1)
    top = keys.topk(match_count, dim=1).indices
    top_steps = steps.gather(1, top)
    is_copy = (top_steps[:, 0] >= 1000000 - 10).unsqueeze(1)
    indices = torch.where(is_copy, top[:, 1:], top[:, :-1])
    valid = torch.where(is_copy, top_steps[:, 1:], top_steps[:, :-1]) > 0
    return indices, valid


def aggregate(texts, indices, valid):
    weights = valid.float()
    gathered = texts[indices.reshape(-1)].view(indices.shape[0], indices.shape[1], -1)
    return (texts + (gathered * weights.unsqueeze(2)).sum(1)) / (weights.sum(1, keepdim=True) + 1)


def enrich(texts, indices, valid, beta):
    n = texts.shape[0]
    k = indices.shape[1]
    rows = torch.arange(n).repeat_interleave(k)
    cols = indices.reshape(-1)
    keep = valid.reshape(-1) & (rows != cols)
    rows, cols = rows[keep], cols[keep]
    diagonal = torch.arange(n)
    keys = torch.cat([rows * n + cols, cols * n + rows, diagonal * n + diagonal]).unique()
    a_rows, a_cols = keys // n, keys % n
    inverse_root = torch.bincount(a_rows, minlength=n).float().rsqrt()
    values = inverse_root[a_rows] * inverse_root[a_cols]
    adjacency = torch.sparse_coo_tensor(torch.stack([a_rows, a_cols]), values, (n, n)).coalesce()
    return texts + beta * torch.sparse.mm(adjacency, texts)


def cosine(features, signed_map):
    normalised = row_normalise(features)
    similarity = normalised @ normalised.t()
    if signed_map:
        similarity = similarity * 2 - 1
    similarity = similarity.clamp(-1, 1)
    similarity.fill_diagonal_(1)
    return similarity


def off_diagonal_rows(square):
    m = square.shape[0]
    mask = ~torch.eye(m, dtype=torch.bool)
    return square[mask].view(m, m - 1)


def to_common_scale(candidate, reference):
    mask = ~torch.eye(candidate.shape[0], dtype=torch.bool)
    values = candidate[mask]
    reference_values = reference[mask]
    z = (candidate - values.mean()) / values.std(unbiased=False).clamp_min(1e-8)
    scaled = z * reference_values.std(unbiased=False) + reference_values.mean()
    scaled.fill_diagonal_(1)
    return scaled


def row_descriptors(similarity, top_count=5, temperature=0.1):
    rows = off_diagonal_rows(similarity)
    others = rows.shape[1]
    mean = rows.mean(1)
    deviation = rows.std(1, unbiased=False)
    top_mean = rows.topk(min(top_count, others), dim=1).values.mean(1)
    log_p = F.log_softmax(rows / temperature, dim=1)
    entropy = -(log_p.exp() * log_p).sum(1)
    entropy = entropy / math.log(others) if others > 1 else torch.zeros_like(entropy)
    return torch.stack([mean, deviation, top_mean, entropy], 1)


def row_correlation(a, b):
    x = off_diagonal_rows(a)
    y = off_diagonal_rows(b)
    xc = x - x.mean(1, keepdim=True)
    yc = y - y.mean(1, keepdim=True)
    return (xc * yc).sum(1) / torch.sqrt((xc * xc).sum(1) * (yc * yc).sum(1) + 1e-12)


def code_similarity(image_codes, text_codes):
    product = row_normalise(image_codes) @ row_normalise(text_codes).t()
    return (product + product.t()) / 2


class ImageNetwork(torch.nn.Module):
    def __init__(self, inputs, hidden, bits, mean, scale):
        super().__init__()
        self.register_buffer("mean", mean)
        self.register_buffer("scale", scale)
        self.hidden = torch.nn.Linear(inputs, hidden)
        self.output = torch.nn.Linear(hidden, bits)

    def standardise(self, images):
        return (images - self.mean) / self.scale

    def forward(self, images):
        return self.output(torch.relu(self.hidden(self.standardise(images))))


class TextNetwork(torch.nn.Module):
    def __init__(self, inputs, graph_units, hidden, bits):
        super().__init__()
        self.graph = torch.nn.Linear(inputs, graph_units)
        self.own = torch.nn.Linear(inputs, graph_units)
        self.hidden = torch.nn.Linear(2 * graph_units, hidden)
        self.output = torch.nn.Linear(hidden, bits)

    def forward(self, texts, aggregates):
        x = torch.cat([torch.relu(self.graph(aggregates)), torch.relu(self.own(texts))], 1)
        return self.output(torch.relu(self.hidden(x)))


class Attention(torch.nn.Module):
    def __init__(self, descriptors=4, hidden=16, candidates=3):
        super().__init__()
        self.projection = torch.nn.Linear(descriptors, hidden)
        self.score = torch.nn.Parameter(torch.zeros(hidden))
        self.register_buffer("log_prior", torch.full((candidates,), -math.log(candidates)))

    def forward(self, descriptors):
        scores = torch.tanh(self.projection(descriptors)) @ self.score
        return torch.softmax(scores.t() + self.log_prior, 1)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--images", required=True)
    parser.add_argument("--texts", required=True)
    parser.add_argument("--rows", type=int, required=True)
    parser.add_argument("--image-dim", type=int, required=True)
    parser.add_argument("--text-dim", type=int, required=True)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--bits", type=int, default=64)
    parser.add_argument("--threads", type=int, default=1)
    arguments = parser.parse_args()

    torch.set_num_threads(arguments.threads)
    torch.manual_seed(1)
    images = torch.from_numpy(np.fromfile(arguments.images, dtype=np.float32).reshape(arguments.rows, -1))
    raw_texts = torch.from_numpy(np.fromfile(arguments.texts, dtype=np.float32).reshape(arguments.rows, -1))
    n = images.shape[0]

    deviation = images.std(0, unbiased=False)
    image_network = ImageNetwork(images.shape[1], 1024, arguments.bits, images.mean(0),
                                 torch.where(deviation > 1e-6, deviation, torch.ones_like(deviation)))
    text_network = TextNetwork(raw_texts.shape[1], 512, 1024, arguments.bits)
    attention = Attention()
    text_non_negative = bool(raw_texts.min() >= 0)

    with torch.no_grad():
        texts = row_normalise(raw_texts)
        indices, valid = text_neighbours(texts, 10)
        aggregates = aggregate(texts, indices, valid)
        enriched = enrich(texts, indices, valid, 1.0)

    sgd = dict(momentum=0.9, weight_decay=5e-4)
    image_optimizer = torch.optim.SGD(image_network.parameters(), lr=0.001, **sgd)
    text_optimizer = torch.optim.SGD(text_network.parameters(), lr=0.01, **sgd)
    attention_optimizer = torch.optim.Adam(attention.parameters(), lr=0.01)
    prior = attention.log_prior.exp()

    for epoch in range(arguments.epochs):
        start = time.perf_counter()
        cpu_start = time.process_time()
        sharpness = math.sqrt(epoch + 1)
        epoch_weights = torch.zeros(n, 3)
        epoch_signs = torch.zeros(n, arguments.bits, dtype=torch.bool)
        order = torch.randperm(n)
        batch_count = max(1, n // arguments.batch)
        sums = {}
        for b in range(batch_count):
            last = b + 1 == batch_count
            items = order[b * arguments.batch:] if last else order[b * arguments.batch:(b + 1) * arguments.batch]
            batch_images = images[items]
            batch_texts = texts[items]

            with torch.no_grad():
                s_image = cosine(image_network.standardise(batch_images), False)
                s_text = cosine(enriched[items], text_non_negative)
                s_cross = (row_normalise(s_image) @ row_normalise(s_text).t())
                s_cross = (s_cross + s_cross.t()) / 2
                candidates = [s_image, to_common_scale(s_text, s_image), to_common_scale(s_cross, s_image)]
            weights = attention(torch.stack([row_descriptors(c) for c in candidates]))
            stacked = torch.stack(candidates)
            fused = 1.4 * ((stacked * weights.t().unsqueeze(2)).sum(0) + (stacked * weights.t().unsqueeze(1)).sum(0)) / 2

            image_codes = torch.tanh(sharpness * image_network(batch_images))
            text_codes = torch.tanh(sharpness * text_network(batch_texts, aggregates[items]))
            target = fused.detach()
            b_image = row_normalise(image_codes)
            b_text = row_normalise(text_codes)
            cross = b_image @ b_text.t()
            intra_image = F.mse_loss(b_image @ b_image.t(), target)
            intra_text = F.mse_loss(b_text @ b_text.t(), target)
            cross_loss = F.mse_loss(cross, target) + F.mse_loss(cross.t(), target)
            pair = -(b_image * b_text).sum(1).mean()
            quantisation = ((torch.cat([image_codes, text_codes]).abs() - 1) ** 2).mean()
            total = 0.1 * (intra_image + intra_text) + cross_loss + pair
            image_optimizer.zero_grad()
            text_optimizer.zero_grad()
            total.backward()
            image_optimizer.step()
            text_optimizer.step()

            correlation = row_correlation(fused, code_similarity(image_codes.detach(), text_codes.detach())).mean()
            clamped = weights.clamp_min(1e-12)
            divergence = (clamped * (clamped.log() - prior.log())).sum(1).mean()
            objective = correlation - 0.5 * divergence
            attention_optimizer.zero_grad()
            (-objective).backward()
            attention_optimizer.step()

            epoch_weights[items] = weights.detach()
            epoch_signs[items] = image_codes.detach() >= 0
            for name, value in (("loss", total), ("intra_image", intra_image), ("intra_text", intra_text),
                                ("cross", cross_loss), ("pair", pair), ("quantisation", quantisation),
                                ("attention_objective", objective)):
                sums[name] = sums.get(name, 0.0) + value.item()

        # The diagnostics of the C++ trainer: attention statistics, constant bits and
        # distinct codes over the codes the batches produced.
        epoch_weights.mean(0).tolist()
        epoch_weights.std(0, unbiased=False).mean().item()
        (epoch_weights.max(1).values > 0.95).double().mean().item()
        constant_bits = int((epoch_signs.all(0) | ~epoch_signs.any(0)).sum())
        distinct_codes = len(set(map(bytes, np.packbits(epoch_signs.numpy(), axis=1))))
        seconds = time.perf_counter() - start
        cpu_seconds = time.process_time() - cpu_start
        print(f"epoch {epoch + 1}: {seconds:.6f} s, CPU {cpu_seconds:.6f} s (loss {sums['loss'] / batch_count:.4f}, "
              f"{constant_bits} constant bits, {distinct_codes} distinct codes)", flush=True)


if __name__ == "__main__":
    main()
