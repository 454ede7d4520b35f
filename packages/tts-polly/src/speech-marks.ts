import type { WordMark } from '@sluice/tts';

/** One line of Polly's speech marks: `time` in ms, `start`/`end` byte offsets into the UTF-8 request text. */
interface SpeechMark {
  time: number;
  type: string;
  start: number;
  end: number;
  value: string;
}

/** Maps UTF-8 byte offsets of `text` to UTF-16 offsets (what JavaScript strings index by). */
function byteToCharOffsets(text: string): (byte: number) => number {
  const offsets: number[] = [];
  let bytes = 0;
  for (let i = 0; i < text.length; ) {
    const code = text.codePointAt(i) as number;
    const width = code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
    const units = code > 0xffff ? 2 : 1;
    for (let b = 0; b < width; b++) offsets[bytes + b] = i;
    bytes += width;
    i += units;
  }
  offsets[bytes] = text.length;
  return (byte) => offsets[Math.min(byte, bytes)] ?? text.length;
}

/** Parses Polly's newline-delimited speech marks into word marks: seconds, and character offsets into `text`. */
export function parseSpeechMarks(body: string, text: string): WordMark[] {
  const toChar = byteToCharOffsets(text);
  const words: WordMark[] = [];
  for (const line of body.split('\n')) {
    if (line.trim() === '') continue;
    const mark = JSON.parse(line) as SpeechMark;
    if (mark.type !== 'word') continue;
    words.push({ text: mark.value, start: toChar(mark.start), end: toChar(mark.end), time: mark.time / 1000 });
  }
  return words;
}
