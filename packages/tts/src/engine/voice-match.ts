import { SluiceError } from '@sluice/core';
import type { TtsVoice } from './types';

/** Levenshtein distance, case-insensitive. */
function distance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let previous = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const current = [i];
    for (let j = 1; j <= y.length; j++) {
      current[j] = Math.min(
        (previous[j] as number) + 1,
        (current[j - 1] as number) + 1,
        (previous[j - 1] as number) + (x[i - 1] === y[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[y.length] as number;
}

/** The voices whose id or name is closest to `wanted` (at most `count`). */
export function closeVoices(wanted: string, voices: readonly TtsVoice[], count = 5): TtsVoice[] {
  const score = (voice: TtsVoice) => {
    const id = voice.id.toLowerCase();
    const needle = wanted.toLowerCase();
    const contains = id.includes(needle) || needle.includes(id) || voice.name.toLowerCase().includes(needle) ? -100 : 0;
    return contains + Math.min(distance(wanted, voice.id), distance(wanted, voice.name));
  };
  return [...voices].sort((a, b) => score(a) - score(b)).slice(0, count);
}

/** `E_TTS_VOICE` for an unknown voice, listing close matches. */
export function unknownVoice(engine: string, wanted: string, voices: readonly TtsVoice[]): SluiceError {
  const close = closeVoices(wanted, voices).map((voice) => voice.id);
  return new SluiceError(
    'E_TTS_VOICE',
    `${engine}: no voice "${wanted}"${close.length > 0 ? `; close matches: ${close.join(', ')}` : ''} (list them with voices())`,
    { details: { voice: wanted, closeMatches: close } },
  );
}
