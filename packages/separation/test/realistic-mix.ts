import { siSdr } from '@sluice/metrics';

/** mulberry32: a small seeded generator, so a song is the same on every run (and usable from benchmarks, outside vitest). */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** What a generated song is made of: tempo, key and how it is mixed. */
export interface SongOptions {
  /** Seed for every random choice (rhythm variations, melody, noise). */
  seed: number;
  /** Length in seconds (default 12). */
  seconds?: number;
  /** Beats per minute (default 90–140, from the random seed). */
  bpm?: number;
  /** MIDI note of the key's root for the bass (default 33–44, from the random seed). */
  root?: number;
  sampleRate?: number;
  /** Downmix to one channel (default false). */
  mono?: boolean;
  /** Add a shared stereo room (every stem through the same decorrelated reverb) (default false). */
  reverb?: boolean;
  /** Spread the vocal across the stereo field (a short delay and a level difference between channels) (default false). */
  spreadVocal?: boolean;
}

/** Stem names, in demucs' order. */
export const SONG_STEMS = ['drums', 'bass', 'other', 'vocals'] as const;
type Stem = (typeof SONG_STEMS)[number];
type Planes = [Float32Array, Float32Array];

/** A song with its true stems: the mixture is their exact sum. */
export interface Song {
  mix: Float32Array[];
  stems: Record<Stem, Float32Array[]>;
  sampleRate: number;
  bpm: number;
  root: number;
}

const MINOR_SCALE = [0, 2, 3, 5, 7, 8, 10];
/** A four-chord loop in the minor key, as scale degrees of each chord's root. */
const PROGRESSIONS = [
  [0, 5, 2, 6],
  [0, 3, 4, 0],
  [0, 6, 5, 4],
];

const hz = (midi: number) => 440 * 2 ** ((midi - 69) / 12);
const degree = (root: number, step: number) => root + 12 * Math.floor(step / 7) + (MINOR_SCALE[((step % 7) + 7) % 7] as number);

/**
 * A song built to look like music to a separator, with its true stems:
 * - drums: kick (pitch-swept sine), snare (tone and noise) and closed hi-hats on eighths, centred;
 * - bass: a band-limited saw following the chord roots in eighths, centred;
 * - other: sustained chords on four voices panned across the field, and a wide pad (detuned, left and right apart);
 * - vocals: a sung-like melody (vibrato, glides, vowel formants, phrases with rests), centred.
 * Each stem is scaled to the same loudness, so the mixture as an estimate of any stem scores near −4.8 dB SI-SDR.
 */
export function generateSong(options: SongOptions): Song {
  const random = seededRandom(options.seed);
  const sampleRate = options.sampleRate ?? 44100;
  const n = Math.round((options.seconds ?? 12) * sampleRate);
  const bpm = options.bpm ?? 90 + Math.floor(random() * 50);
  const root = options.root ?? 33 + Math.floor(random() * 12);
  const progression = PROGRESSIONS[Math.floor(random() * PROGRESSIONS.length)] as number[];
  const beat = (60 / bpm) * sampleRate;
  const context = { random, sampleRate, n, beat, root, progression };
  let stems: Record<Stem, Planes> = {
    drums: drums(context),
    bass: bass(context),
    other: chordsAndPad(context),
    vocals: melody(context, options.spreadVocal ?? false),
  };
  for (const planes of Object.values(stems)) normalise(planes, 0.1);
  if (options.reverb) stems = withRoom(stems, context);
  const channels = options.mono ? 1 : 2;
  const shaped = Object.fromEntries(SONG_STEMS.map((name) => [name, channels === 1 ? [downmix(stems[name])] : [...stems[name]]])) as Record<
    Stem,
    Float32Array[]
  >;
  const mix = Array.from({ length: channels }, (_, c) =>
    Float32Array.from({ length: n }, (_, i) => SONG_STEMS.reduce((sum, name) => sum + (shaped[name][c]?.[i] ?? 0), 0)),
  );
  return { mix, stems: shaped, sampleRate, bpm, root };
}

interface Context {
  random: () => number;
  sampleRate: number;
  n: number;
  beat: number;
  root: number;
  progression: number[];
}

const stereo = (n: number): Planes => [new Float32Array(n), new Float32Array(n)];

/** Adds `value(i)` from `start` for `length` samples, panned by constant power (−1 left … 1 right). */
function addPanned(planes: Planes, start: number, length: number, pan: number, value: (i: number) => number): void {
  const angle = ((pan + 1) * Math.PI) / 4;
  const [left, right] = [Math.cos(angle) * Math.SQRT2, Math.sin(angle) * Math.SQRT2];
  const end = Math.min(planes[0].length, Math.round(start) + length);
  for (let at = Math.max(0, Math.round(start)), i = at - Math.round(start); at < end; at++, i++) {
    const v = value(i);
    planes[0][at] = (planes[0][at] as number) + v * left;
    planes[1][at] = (planes[1][at] as number) + v * right;
  }
}

function drums({ random, sampleRate, n, beat }: Context): Planes {
  const out = stereo(n);
  for (let b = 0; b * beat < n; b++) {
    const start = b * beat;
    if (b % 2 === 0 || random() < 0.15) {
      // Kick: a sine falling from 150 to 50 Hz, 0.25 s.
      let phase = 0;
      addPanned(out, start, Math.round(0.25 * sampleRate), 0, (i) => {
        const t = i / sampleRate;
        phase += (2 * Math.PI * (50 + 100 * Math.exp(-t / 0.03))) / sampleRate;
        return Math.sin(phase) * Math.exp(-t / 0.09);
      });
    }
    if (b % 2 === 1) {
      addPanned(out, start, Math.round(0.2 * sampleRate), 0, (i) => {
        const t = i / sampleRate;
        return 0.4 * Math.sin(2 * Math.PI * 185 * t) * Math.exp(-t / 0.04) + 0.5 * (random() * 2 - 1) * Math.exp(-t / 0.06);
      });
    }
    for (const offset of [0, 0.5]) {
      let previous = 0;
      const open = random() < 0.1;
      addPanned(out, start + offset * beat, Math.round((open ? 0.25 : 0.06) * sampleRate), 0.2, (i) => {
        // White noise minus its last sample: a first-order high-pass, the brightness of a hat.
        const white = random() * 2 - 1;
        const value = white - previous;
        previous = white;
        return 0.25 * value * Math.exp(-i / sampleRate / (open ? 0.08 : 0.015));
      });
    }
  }
  return out;
}

/** A band-limited sawtooth sample: at most 24 harmonics, none above 8 kHz, the k-th at 1/k^rolloff. */
function saw(frequency: number, t: number, rolloff = 1): number {
  let v = 0;
  const phase = 2 * Math.PI * frequency * t;
  for (let k = 1; k <= 24 && k * frequency < 8000; k++) v += Math.sin(k * phase) / k ** rolloff;
  return v;
}

function chordRootAt(context: Context, at: number): number {
  const bar = Math.floor(at / (4 * context.beat));
  return context.progression[bar % context.progression.length] as number;
}

function bass(context: Context): Planes {
  const { random, sampleRate, n, beat, root } = context;
  const out = stereo(n);
  const eighth = beat / 2;
  for (let e = 0; e * eighth < n; e++) {
    if (e % 8 !== 0 && random() < 0.2) continue;
    const step = chordRootAt(context, e * eighth) + (random() < 0.2 ? 4 : 0) - (random() < 0.1 ? 7 : 0);
    const frequency = hz(degree(root, step));
    const length = Math.round(eighth * (0.7 + 0.25 * random()));
    addPanned(out, e * eighth, length, 0, (i) => {
      const t = i / sampleRate;
      const envelope = Math.min(1, i / (0.005 * sampleRate)) * Math.exp(-t / 0.4) * Math.min(1, (length - i) / (0.01 * sampleRate));
      return saw(frequency, t, 1.6) * envelope;
    });
  }
  return out;
}

function chordsAndPad(context: Context): Planes {
  const { sampleRate, n, beat, root } = context;
  const out = stereo(n);
  const bar = 4 * beat;
  const pans = [-0.8, -0.3, 0.4, 0.9];
  for (let b = 0; b * bar < n; b++) {
    const chord = chordRootAt(context, b * bar);
    const length = Math.round(bar);
    [0, 2, 4, 6].forEach((interval, voice) => {
      const frequency = hz(degree(root + 24, chord + interval));
      addPanned(out, b * bar, length, pans[voice] as number, (i) => {
        const t = i / sampleRate;
        const envelope =
          Math.min(1, i / (0.02 * sampleRate)) * (0.6 + 0.4 * Math.exp(-t / 0.5)) * Math.min(1, (length - i) / (0.02 * sampleRate));
        return (
          0.3 *
          envelope *
          (Math.sin(2 * Math.PI * frequency * t) +
            0.4 * Math.sin(4 * Math.PI * frequency * t) +
            0.15 * Math.sin(6 * Math.PI * frequency * t))
        );
      });
    });
    // The pad: the chord's root and fifth an octave up, slightly detuned between the channels.
    for (const [pan, detune] of [
      [-1, 0.997],
      [1, 1.003],
    ] as const) {
      const frequencies = [chord, chord + 4].map((s) => hz(degree(root + 36, s)) * detune);
      addPanned(out, b * bar, length, pan, (i) => {
        const t = i / sampleRate;
        const envelope = Math.min(1, i / (0.3 * sampleRate)) * Math.min(1, (length - i) / (0.1 * sampleRate));
        return 0.08 * envelope * frequencies.reduce((sum, f) => sum + saw(f, t, 2), 0);
      });
    }
  }
  return out;
}

/** Vowel formants (Hz) of a, e, i, o, u. */
const VOWELS = [
  [800, 1150, 2900],
  [400, 1600, 2700],
  [300, 2200, 3000],
  [450, 800, 2830],
  [325, 700, 2530],
];

function formantGain(frequency: number, formants: number[]): number {
  return formants.reduce((sum, f, i) => sum + 1 / (1 + ((frequency - f) / (80 + 40 * i)) ** 2) / (i + 1), 0.02);
}

function melody(context: Context, spread: boolean): Planes {
  const { random, sampleRate, n, beat, root } = context;
  const out = stereo(n);
  let at = 0;
  let step = 7 + Math.floor(random() * 5);
  while (at < n) {
    const beats = [0.5, 1, 1, 1.5, 2][Math.floor(random() * 5)] as number;
    const length = Math.round(beats * beat);
    if (random() < 0.2) {
      at += length; // a rest: phrases breathe
      continue;
    }
    const from = hz(degree(root + 24, step));
    step = Math.max(5, Math.min(16, step + Math.floor(random() * 5) - 2));
    const to = hz(degree(root + 24, step));
    const formants = VOWELS[Math.floor(random() * VOWELS.length)] as number[];
    let phase = 0;
    const gains: number[] = [];
    const voice = (i: number) => {
      const t = i / sampleRate;
      const glide = Math.min(1, t / 0.06);
      const f0 = (from + (to - from) * glide) * (1 + 0.012 * Math.sin(2 * Math.PI * 5.5 * t) * Math.min(1, t / 0.2));
      phase += (2 * Math.PI * f0) / sampleRate;
      const envelope = Math.min(1, i / (0.03 * sampleRate)) * Math.min(1, (length - i) / (0.05 * sampleRate));
      // The formant weights move slowly: computed every 256 samples.
      if (i % 256 === 0) for (let k = 1; k <= 30; k++) gains[k] = k * f0 < 8000 ? formantGain(k * f0, formants) : 0;
      let v = 0;
      for (let k = 1; k <= 30; k++) v += Math.sin(k * phase) * (gains[k] as number);
      return envelope * v;
    };
    if (spread) {
      // 0.6 ms later and 3 dB quieter on the right: a voice recorded off-axis.
      const delayed = new Float32Array(length);
      for (let i = 0; i < length; i++) delayed[i] = voice(i);
      const lag = Math.round(0.0006 * sampleRate);
      addMono(out[0], at, delayed, 1);
      addMono(out[1], at + lag, delayed, 0.7);
    } else {
      addPanned(out, at, length, 0, voice);
    }
    at += length;
  }
  return out;
}

function addMono(plane: Float32Array, start: number, values: Float32Array, gain: number): void {
  for (let i = 0; i < values.length && start + i < plane.length; i++)
    plane[start + i] = (plane[start + i] as number) + gain * (values[i] as number);
}

function normalise(planes: Planes, rms: number): void {
  let energy = 0;
  for (const plane of planes) for (const v of plane) energy += v * v;
  const gain = energy > 0 ? rms / Math.sqrt(energy / (planes.length * planes[0].length)) : 0;
  for (const plane of planes) for (let i = 0; i < plane.length; i++) plane[i] = (plane[i] as number) * gain;
}

/** Every stem through one room: a Schroeder reverb (four combs, two all-passes), tuned differently per channel, about 25 % wet. */
function withRoom(stems: Record<Stem, Planes>, { sampleRate }: Context): Record<Stem, Planes> {
  const result = {} as Record<Stem, Planes>;
  for (const name of SONG_STEMS) {
    const planes = stems[name];
    const wet = planes.map((plane, c) => schroeder(plane, sampleRate, c)) as Planes;
    normalise(wet, 0.025);
    result[name] = [0, 1].map((c) => Float32Array.from(planes[c] as Float32Array, (v, i) => v + (wet[c] as Float32Array)[i]!)) as Planes;
  }
  return result;
}

function schroeder(signal: Float32Array, sampleRate: number, channel: number): Float32Array {
  const scale = sampleRate / 44100;
  const combs = (channel === 0 ? [1557, 1617, 1491, 1422] : [1580, 1640, 1514, 1445]).map((d) => Math.round(d * scale));
  const out = new Float32Array(signal.length);
  for (const delay of combs) {
    const line = new Float32Array(delay);
    for (let i = 0, at = 0; i < signal.length; i++, at = (at + 1) % delay) {
      const y = line[at] as number;
      line[at] = (signal[i] as number) + 0.84 * y;
      out[i] = (out[i] as number) + y / 4;
    }
  }
  for (const delay of [225, 556].map((d) => Math.round(d * scale))) {
    const line = new Float32Array(delay);
    for (let i = 0, at = 0; i < out.length; i++, at = (at + 1) % delay) {
      const delayed = line[at] as number;
      const x = out[i] as number;
      line[at] = x + 0.5 * delayed;
      out[i] = delayed - 0.5 * x;
    }
  }
  return out;
}

function downmix(planes: Planes): Float32Array {
  return Float32Array.from(planes[0], (v, i) => (v + (planes[1][i] as number)) / 2);
}

/** SI-SDR improvement over the mixture for every stem (dB): the estimate's SI-SDR minus the mixture's. */
export function improvements(song: Song, stems: Record<string, Float32Array[]>): Record<string, number> {
  return Object.fromEntries(
    SONG_STEMS.map((name) => [name, siSdr(stems[name] as Float32Array[], song.stems[name]) - siSdr(song.mix, song.stems[name])]),
  );
}
