#!/usr/bin/python3
"""Times mir_eval.separation.bss_eval_images (whole excerpt) and a NumPy SI-SDR on the
float32 files the benchmark writes; prints one JSON line. Used by metrics.bench.ts."""
import json
import sys
import time

import numpy as np
import mir_eval.separation as separation

path, nsrc, nchan, n, long_n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
data = np.fromfile(path, dtype='<f4')
refs = data[: nsrc * n * nchan].reshape(nsrc, n, nchan)
ests = data[nsrc * n * nchan: 2 * nsrc * n * nchan].reshape(nsrc, n, nchan)
started = time.perf_counter()
sdr, isr, sir, sar, _ = separation.bss_eval_images(refs, ests, compute_permutation=False)
bss_seconds = time.perf_counter() - started
long = np.fromfile(path + '.long', dtype='<f4').reshape(2, long_n, 2).astype(np.float64)
started = time.perf_counter()
est, ref = long[0].ravel(), long[1].ravel()
est = est - est.mean()
ref = ref - ref.mean()
alpha = np.dot(est, ref) / np.dot(ref, ref)
value = 10 * np.log10(np.sum((alpha * ref) ** 2) / np.sum((est - alpha * ref) ** 2))
si_sdr_seconds = time.perf_counter() - started
print(json.dumps({'bssSeconds': bss_seconds, 'sdr': sdr.tolist(), 'siSdrSeconds': si_sdr_seconds, 'siSdr': value}))
