import { seededRandom } from '@sluice/config/test-helpers';

/**
 * A synthetic song with known stems (stereo): drums (snare and hi-hat noise
 * bursts, centred), bass (sustained low notes, centred), vocals (a
 * voice-like harmonic tone with vibrato, exactly centre-panned) and other
 * (chords panned hard left and right).
 */
export function syntheticMix(seconds: number, sampleRate = 44100) {
  const n = Math.round(seconds * sampleRate);
  const random = seededRandom(2026);
  const stereo = () => [new Float32Array(n), new Float32Array(n)];
  const drums = stereo();
  const bass = stereo();
  const vocals = stereo();
  const other = stereo();
  const beat = Math.round(sampleRate * 0.25);
  for (let start = 0; start < n; start += beat) {
    const snare = (start / beat) % 2 === 1;
    const length = Math.round(sampleRate * (snare ? 0.12 : 0.04));
    for (let i = 0; i < length && start + i < n; i++) {
      const envelope = Math.exp(-i / (length / 5));
      const value = (random() - 0.5) * envelope * (snare ? 0.6 : 0.25);
      (drums[0] as Float32Array)[start + i] = value;
      (drums[1] as Float32Array)[start + i] = value;
    }
  }
  const notes = [55, 73.4, 82.4, 65.4];
  for (let i = 0; i < n; i++) {
    const t = i / sampleRate;
    const note = notes[Math.floor(t / 0.5) % notes.length] as number;
    const b = 0.3 * Math.sin(2 * Math.PI * note * t) + 0.1 * Math.sin(4 * Math.PI * note * t);
    (bass[0] as Float32Array)[i] = b;
    (bass[1] as Float32Array)[i] = b;
    const f0 = 220 * (1 + 0.01 * Math.sin(2 * Math.PI * 5 * t));
    let v = 0;
    for (let h = 1; h <= 12; h++) v += (Math.sin(2 * Math.PI * f0 * h * t) * 0.15) / h ** 0.8;
    (vocals[0] as Float32Array)[i] = v;
    (vocals[1] as Float32Array)[i] = v;
    const left = 0.08 * (Math.sin(2 * Math.PI * 329.6 * t) + Math.sin(2 * Math.PI * 415.3 * t) + Math.sin(2 * Math.PI * 493.9 * t));
    const right = 0.08 * (Math.sin(2 * Math.PI * 261.6 * t) + Math.sin(2 * Math.PI * 392 * t) + Math.sin(2 * Math.PI * 523.3 * t));
    (other[0] as Float32Array)[i] = left;
    (other[1] as Float32Array)[i] = right;
  }
  const mix = [0, 1].map((c) =>
    Float32Array.from({ length: n }, (_, i) =>
      [drums, bass, vocals, other].reduce((sum, stem) => sum + ((stem[c] as Float32Array)[i] as number), 0),
    ),
  );
  return { mix, stems: { drums, bass, other, vocals } };
}
