import { medianAlongFrequency, medianAlongTime } from './median';
import { repeatingModel } from './repeating';
import type { Spectrogram } from './spectrogram';

/** Which cues tell the voice from the accompaniment (see {@link DspSeparatorOptions.vocals}). */
export type VocalCues = 'both' | 'centre' | 'repeating';

/** The masks' settings, in frames and bins of one spectrogram. */
export interface MaskSettings {
  /** Bin width in Hz. */
  binHz: number;
  /** Harmonic median length along time, frames (odd). */
  harmonicFrames: number;
  /** Percussive median length along frequency, bins (odd). */
  percussiveBins: number;
  bassCutoffHz: number;
  /** Frequency band of the voice, Hz. */
  voiceBand: readonly [number, number];
  vocals: VocalCues;
  /** REPET-SIM: similar frames that vote, and their minimum spacing in frames. */
  neighbours: number;
  minGap: number;
}

/** Soft masks (0…1 per bin) for the three stems that are estimated; other is the remainder. */
export interface StemMasks {
  drums: Float32Array;
  bass: Float32Array;
  vocals: Float32Array;
}

/** How far a bin's left/right balance may sit from the centre before it stops counting as centred (balance runs 0…1). */
const CENTRE_WIDTH = 0.12;

/**
 * The masks, from the channels' spectrograms:
 * 1. harmonic/percussive split of the channels' mean magnitude (Fitzgerald's median filters, Wiener-like power-2 masks): drums is the percussive share at every frequency, so the kick is not lost to the bass band;
 * 2. bass is the harmonic share below the cutoff (a linear taper to 1.5 × cutoff);
 * 3. vocals is the harmonic share above the bass, inside the voice band, weighted by
 *    - how far it stands out of the repeating accompaniment (REPET-SIM on the harmonic magnitude), and
 *    - how centred it is (stereo only: left/right balance near the middle),
 *    combined by {@link voiceShare}.
 */
export function stemMasks(specs: readonly Spectrogram[], settings: MaskSettings): StemMasks {
  const { frames, bins } = specs[0] as Spectrogram;
  const { magnitude, balance } = magnitudeAndBalance(specs);
  const harmonic = medianAlongTime(magnitude, frames, bins, settings.harmonicFrames);
  const percussive = medianAlongFrequency(magnitude, frames, bins, settings.percussiveBins);
  const drums = new Float32Array(magnitude.length);
  const harmonicMagnitude = new Float32Array(magnitude.length);
  for (let i = 0; i < magnitude.length; i++) {
    const h = (harmonic[i] as number) ** 2;
    const p = (percussive[i] as number) ** 2;
    const share = h + p > 1e-30 ? p / (h + p) : 0;
    drums[i] = share;
    harmonicMagnitude[i] = (magnitude[i] as number) * (1 - share);
  }
  const from = Math.max(1, Math.floor(Math.max(settings.voiceBand[0], settings.bassCutoffHz) / settings.binHz));
  const to = Math.min(bins, Math.ceil(settings.voiceBand[1] / settings.binHz));
  const useRepeating = settings.vocals !== 'centre';
  const useCentre = settings.vocals !== 'repeating' && specs.length === 2;
  const repeating = useRepeating
    ? repeatingModel(harmonicMagnitude, frames, bins, { neighbours: settings.neighbours, minGap: settings.minGap, from, to })
    : undefined;
  const bassWeights = bandWeights(bins, settings.binHz, settings.bassCutoffHz);
  const bass = new Float32Array(magnitude.length);
  const vocals = new Float32Array(magnitude.length);
  for (let f = 0; f < frames; f++) {
    for (let k = 0; k < bins; k++) {
      const i = f * bins + k;
      const harmonicShare = 1 - (drums[i] as number);
      const low = bassWeights[k] as number;
      bass[i] = harmonicShare * low;
      if (k < from || k >= to) continue;
      const unique = repeating === undefined ? undefined : standingOut(harmonicMagnitude[i] as number, repeating[i] as number);
      const centred = useCentre ? Math.exp(-((((balance[i] as number) - 0.5) / CENTRE_WIDTH) ** 2)) : undefined;
      vocals[i] = harmonicShare * (1 - low) * voiceShare(unique, centred);
    }
  }
  return { drums, bass, vocals };
}

/** The channels' mean magnitude per bin, and the left channel's share of it (0.5 when centred; 0.5 for mono). */
function magnitudeAndBalance(specs: readonly Spectrogram[]): { magnitude: Float32Array; balance: Float32Array } {
  const size = (specs[0] as Spectrogram).re.length;
  const magnitude = new Float32Array(size);
  const balance = new Float32Array(size).fill(0.5);
  const left = specs[0] as Spectrogram;
  const right = specs[1];
  for (let i = 0; i < size; i++) {
    const l = Math.sqrt((left.re[i] as number) ** 2 + (left.im[i] as number) ** 2);
    if (right === undefined) {
      magnitude[i] = l;
      continue;
    }
    const r = Math.sqrt((right.re[i] as number) ** 2 + (right.im[i] as number) ** 2);
    magnitude[i] = (l + r) / 2;
    if (l + r > 1e-12) balance[i] = l / (l + r);
  }
  return { magnitude, balance };
}

/** 1 below the cutoff, falling linearly to 0 at 1.5 × cutoff. */
function bandWeights(bins: number, binHz: number, cutoffHz: number): Float32Array {
  return Float32Array.from({ length: bins }, (_, k) => {
    const hz = k * binHz;
    return hz < cutoffHz ? 1 : hz < cutoffHz * 1.5 ? 1 - (hz - cutoffHz) / (cutoffHz * 0.5) : 0;
  });
}

/** The share of a bin above the repeating model, as a power-2 soft mask. */
function standingOut(value: number, repeating: number): number {
  const above = Math.max(value - repeating, 0) ** 2;
  const below = Math.min(value, repeating) ** 2;
  return above + below > 1e-30 ? above / (above + below) : 0;
}

/**
 * How the cues make the voice's share. Measured on the bench songs: in
 * stereo, panning is the stronger cue and not repeating refines it (a plain
 * product lost 3 dB on vocals: two cues that must both agree miss too much);
 * in mono, not repeating is all there is.
 */
function voiceShare(unique: number | undefined, centred: number | undefined): number {
  if (centred === undefined) return unique ?? 1;
  return unique === undefined ? centred : centred * (0.5 + 0.5 * unique);
}
