/**
 * The pairwise metrics from their definitions, in plain two-pass loops (means first, then the sums), for the tests
 * that check the one-pass moments and the second pass against them.
 */
type Planes = readonly Float32Array[];

function mean(planes: Planes): number {
  return planes.reduce((sum, plane) => sum + plane.reduce((s, v) => s + v, 0), 0) / (planes.length * (planes[0]?.length ?? 1));
}

/** SI-SDR from its definition (Le Roux et al.): zero-mean signals, α = ⟨ŝ, s⟩ / ‖s‖², then ‖αs‖² / ‖ŝ − αs‖². */
export function twoPassSiSdr(estimate: Planes, reference: Planes): number {
  const [me, mr] = [mean(estimate), mean(reference)];
  let dot = 0;
  let energy = 0;
  for (const [c, plane] of reference.entries()) {
    for (const [i, v] of plane.entries()) {
      dot += ((estimate[c]?.[i] as number) - me) * (v - mr);
      energy += (v - mr) ** 2;
    }
  }
  const alpha = dot / energy;
  let target = 0;
  let error = 0;
  for (const [c, plane] of reference.entries()) {
    for (const [i, v] of plane.entries()) {
      target += (alpha * (v - mr)) ** 2;
      error += ((estimate[c]?.[i] as number) - me - alpha * (v - mr)) ** 2;
    }
  }
  return 10 * Math.log10(target / error);
}

/** Plain SDR from its definition: ‖r‖² / ‖r − e‖². */
export function twoPassSdr(estimate: Planes, reference: Planes): number {
  let energy = 0;
  let error = 0;
  for (const [c, plane] of reference.entries()) {
    for (const [i, v] of plane.entries()) {
      energy += v * v;
      error += (v - (estimate[c]?.[i] as number)) ** 2;
    }
  }
  return 10 * Math.log10(energy / error);
}
