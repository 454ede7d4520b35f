import { solveBlockToeplitz } from './block-levinson';
import { blockToeplitzProduct } from './toeplitz-product';

/** How a distortion-filter system was solved. */
export interface SolveReport {
  /**
   * Diagonal loading that had to be added, relative to the mean of the
   * diagonal (0: solved as museval does, with machine epsilon only).
   */
  loading: number;
  /** Relative residual ‖T·x − y‖ / ‖y‖ of the system actually solved. */
  residual: number;
  /** A lower bound on the condition number of the plain system (see solveBlockToeplitz). */
  condition: number;
}

/** Above this relative residual, a Levinson solution is not trusted. */
const MAX_RESIDUAL = 1e-8;
/**
 * Above this (lower bound on the) condition number the references are taken
 * as dependent: float64 keeps ~16 digits, and past 1e10 fewer than 6 are left
 * for the filters, which is where SIR figures of −2,600 dB came from.
 */
const MAX_CONDITION = 1e10;
/** Loadings tried in turn, relative to the mean diagonal, when the plain system is (nearly) singular. */
const LOADINGS = [1e-10, 1e-8, 1e-6, 1e-4];

/** ‖T·x − y‖_F / ‖y‖_F for the block-Toeplitz T of `r` (same layout as {@link solveBlockToeplitz}). */
export function blockToeplitzResidual(r: Float64Array, x: Float64Array, y: Float64Array, blocks: number, p: number, q: number): number {
  const product = blockToeplitzProduct(r, x, blocks, p, q);
  let error = 0;
  let norm = 0;
  for (let k = 0; k < product.length; k++) {
    const target = y[k] as number;
    error += ((product[k] as number) - target) ** 2;
    norm += target * target;
  }
  return norm === 0 ? 0 : Math.sqrt(error / norm);
}

/**
 * Solves the distortion-filter system as museval does when it can (machine
 * epsilon on the diagonal, museval/metrics.py `_compute_projection_filters`:
 * `np.linalg.solve(G + eps*np.eye(G.shape[0]), D)`), and otherwise as
 * museval's fallback intends (`np.linalg.lstsq(G, D)` on a singular G):
 * references that are linearly dependent (a mono stem stored as stereo, a
 * channel that is a delayed copy of the other) span the same subspace
 * whichever combination is chosen, so a least-norm-like solution found with
 * a small diagonal loading projects the estimate onto that subspace just as
 * well. The Levinson recursion is fast but not backward stable on nearly
 * singular systems, so every solution is checked by its residual; the
 * loading grows until one passes. Returns null only when none does.
 */
export function solveConditioned(
  r: Float64Array,
  y: Float64Array,
  blocks: number,
  p: number,
  q: number,
): { x: Float64Array; report: SolveReport } | null {
  const info = { conditionLowerBound: Number.POSITIVE_INFINITY };
  const plain = solveBlockToeplitz(r, y, blocks, p, q, info);
  const condition = info.conditionLowerBound;
  if (plain !== null && condition <= MAX_CONDITION) {
    const residual = blockToeplitzResidual(r, plain, y, blocks, p, q);
    if (residual <= MAX_RESIDUAL) return { x: plain, report: { loading: 0, residual, condition } };
  }
  let diagonal = 0;
  for (let i = 0; i < p; i++) diagonal += r[i * p + i] as number;
  diagonal /= p;
  for (const loading of LOADINGS) {
    const loaded = Float64Array.from(r);
    for (let i = 0; i < p; i++) loaded[i * p + i] = (loaded[i * p + i] as number) + loading * diagonal;
    const x = solveBlockToeplitz(loaded, y, blocks, p, q);
    if (x === null) continue;
    const residual = blockToeplitzResidual(loaded, x, y, blocks, p, q);
    if (residual <= MAX_RESIDUAL) return { x, report: { loading, residual, condition } };
  }
  return null;
}
