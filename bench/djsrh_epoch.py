#!/usr/bin/env python3
"""A minimal PyTorch version of one DJSRH training epoch, the baseline esafh-bench
times the C++ trainer against with EsafhSettings::forMethod("djsrh"). It is a
benchmark baseline only, not part of the product, and mirrors core/method
(trainer.cpp, similarity.cpp, hash_model.cpp) with those settings: no text graph,
a plain MLP as text network, S_0 = 0.9 S_I + 0.1 S_T,
S = 1.5 ((1 - 0.4) S_0 + 0.4 S_0 S_0^T / m), and the loss
0.1 (||B_I B_I^T - S||^2 + ||B_T B_T^T - S||^2) + ||B_I B_T^T - S||^2.
Like the C++ trainer it also computes S_C and the attention objective of each batch
as diagnostics, and the end-of-epoch code statistics.

esafh-bench writes the training features as raw float32 files, runs this script
and reads lines "epoch N: SECONDS s, CPU SECONDS s" from its output.
"""

import argparse
import math
import time

import numpy as np
import torch
import torch.nn.functional as F

from esafh_epoch import ImageNetwork, code_similarity, cosine, row_correlation, row_normalise


class TextNetwork(torch.nn.Module):
    def __init__(self, inputs, hidden, bits):
        super().__init__()
        self.hidden = torch.nn.Linear(inputs, hidden)
        self.output = torch.nn.Linear(hidden, bits)

    def forward(self, texts):
        return self.output(torch.relu(self.hidden(texts)))


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
    text_network = TextNetwork(raw_texts.shape[1], 1024, arguments.bits)
    text_non_negative = bool(raw_texts.min() >= 0)
    texts = row_normalise(raw_texts)

    sgd = dict(momentum=0.9, weight_decay=5e-4)
    image_optimizer = torch.optim.SGD(image_network.parameters(), lr=0.001, **sgd)
    text_optimizer = torch.optim.SGD(text_network.parameters(), lr=0.01, **sgd)

    for epoch in range(arguments.epochs):
        start = time.perf_counter()
        cpu_start = time.process_time()
        sharpness = math.sqrt(epoch + 1)
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
                s_text = cosine(batch_texts, text_non_negative)
                s_cross = row_normalise(s_image) @ row_normalise(s_text).t()
                s_cross = (s_cross + s_cross.t()) / 2
                first = 0.9 * s_image + 0.1 * s_text
                target = 1.5 * (0.6 * first + 0.4 * (first @ first.t()) / first.shape[0])

            image_codes = torch.tanh(sharpness * image_network(batch_images))
            text_codes = torch.tanh(sharpness * text_network(batch_texts))
            b_image = row_normalise(image_codes)
            b_text = row_normalise(text_codes)
            intra_image = F.mse_loss(b_image @ b_image.t(), target)
            intra_text = F.mse_loss(b_text @ b_text.t(), target)
            cross_loss = F.mse_loss(b_image @ b_text.t(), target)
            total = 0.1 * (intra_image + intra_text) + cross_loss
            image_optimizer.zero_grad()
            text_optimizer.zero_grad()
            total.backward()
            image_optimizer.step()
            text_optimizer.step()

            # Diagnostics the C++ trainer computes for every method.
            with torch.no_grad():
                pair = -(b_image * b_text).sum(1).mean()
                quantisation = ((torch.cat([image_codes, text_codes]).abs() - 1) ** 2).mean()
                correlation = row_correlation(target, code_similarity(image_codes, text_codes)).mean()
            epoch_signs[items] = image_codes.detach() >= 0
            for name, value in (("loss", total), ("intra_image", intra_image), ("intra_text", intra_text),
                                ("cross", cross_loss), ("pair", pair), ("quantisation", quantisation),
                                ("attention_objective", correlation)):
                sums[name] = sums.get(name, 0.0) + value.item()

        constant_bits = int((epoch_signs.all(0) | ~epoch_signs.any(0)).sum())
        distinct_codes = len(set(map(bytes, np.packbits(epoch_signs.numpy(), axis=1))))
        seconds = time.perf_counter() - start
        cpu_seconds = time.process_time() - cpu_start
        print(f"epoch {epoch + 1}: {seconds:.6f} s, CPU {cpu_seconds:.6f} s (loss {sums['loss'] / batch_count:.4f}, "
              f"{constant_bits} constant bits, {distinct_codes} distinct codes)", flush=True)


if __name__ == "__main__":
    main()
