import { SluiceError } from '@sluice/core';

/** One caption: a few words and when they are spoken. */
export interface Cue {
  startSeconds: number;
  endSeconds: number;
  text: string;
}

/** How words are grouped into cues. */
export interface CueOptions {
  /** Most words in one cue (default 7). */
  maxWords?: number;
  /** Longest cue in seconds (default 3.5). */
  maxSeconds?: number;
  /** A pause longer than this starts a new cue (default 0.6 s). */
  maxGapSeconds?: number;
  /**
   * The text the words were spoken from. With it (and words that carry
   * `start`/`end` offsets into it), cues show the text as written,
   * punctuation included, and break at sentence ends: engines give words
   * without their punctuation.
   */
  text?: string;
}

/** A timed word; `start`/`end` are offsets into the spoken text, when known. */
export interface TimedWord {
  text: string;
  startSeconds: number;
  endSeconds: number;
  start?: number;
  end?: number;
}

/** Caption formats. */
export type CaptionFormat = 'vtt' | 'srt';

/**
 * Groups timed words into cues: a new cue at a sentence end, after a long
 * pause, or when the cue would pass `maxWords` or `maxSeconds`. Words are
 * taken in order of their start time.
 */
export function wordsToCues(words: readonly TimedWord[], options: CueOptions = {}): Cue[] {
  const maxWords = options.maxWords ?? 7;
  const maxSeconds = options.maxSeconds ?? 3.5;
  const maxGap = options.maxGapSeconds ?? 0.6;
  const source = options.text;
  const cues: Cue[] = [];
  let current: { startSeconds: number; endSeconds: number; words: TimedWord[] } | undefined;
  /** Where a word's written form ends: past punctuation that follows it in the text. */
  const writtenEnd = (word: TimedWord) => {
    if (source === undefined || word.end === undefined) return undefined;
    const match = /^[.!?…,;:"')\]]*/.exec(source.slice(word.end));
    return word.end + (match?.[0].length ?? 0);
  };
  const endsSentence = (word: TimedWord) => {
    const end = writtenEnd(word);
    const written = end === undefined || word.start === undefined || source === undefined ? word.text : source.slice(word.start, end);
    return /[.!?…]["')\]]?$/.test(written.trim());
  };
  const close = () => {
    if (current === undefined) return;
    const first = current.words[0] as TimedWord;
    const last = current.words.at(-1) as TimedWord;
    const end = writtenEnd(last);
    const text =
      source !== undefined && first.start !== undefined && end !== undefined
        ? source.slice(first.start, end).replace(/\s+/g, ' ').trim()
        : current.words.map((word) => word.text.trim()).join(' ');
    cues.push({ startSeconds: current.startSeconds, endSeconds: current.endSeconds, text });
    current = undefined;
  };
  for (const word of [...words].sort((a, b) => a.startSeconds - b.startSeconds)) {
    if (word.text.trim().length === 0) continue;
    if (
      current !== undefined &&
      (current.words.length >= maxWords ||
        word.endSeconds - current.startSeconds > maxSeconds ||
        word.startSeconds - current.endSeconds > maxGap)
    ) {
      close();
    }
    current ??= { startSeconds: word.startSeconds, endSeconds: word.endSeconds, words: [] };
    current.words.push(word);
    current.endSeconds = Math.max(current.endSeconds, word.endSeconds);
    if (endsSentence(word)) close();
  }
  close();
  return cues;
}

/** `HH:MM:SS.mmm` (WebVTT) or `HH:MM:SS,mmm` (SRT). */
function timestamp(seconds: number, separator: '.' | ','): string {
  const ms = Math.max(0, Math.round(seconds * 1000));
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = Math.floor((ms % 60_000) / 1000);
  const pad = (value: number, width = 2) => String(value).padStart(width, '0');
  return `${pad(h)}:${pad(m)}:${pad(s)}${separator}${pad(ms % 1000, 3)}`;
}

/** Cues as a WebVTT document (W3C WebVTT: the header, then `start --> end` and the text per cue). */
export function toWebVtt(cues: readonly Cue[]): string {
  // "-->" may not appear in cue text; the escapes keep the payload valid.
  const escapeCueText = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/-->/g, '--&gt;');
  return `WEBVTT\n\n${cues.map((cue) => `${timestamp(cue.startSeconds, '.')} --> ${timestamp(cue.endSeconds, '.')}\n${escapeCueText(cue.text)}\n`).join('\n')}`;
}

/** Cues as SubRip (SRT): a counter, `start --> end` with comma milliseconds, the text, a blank line. */
export function toSrt(cues: readonly Cue[]): string {
  return cues
    .map((cue, i) => `${i + 1}\n${timestamp(cue.startSeconds, ',')} --> ${timestamp(cue.endSeconds, ',')}\n${cue.text}\n`)
    .join('\n');
}

/** Timed words as captions in `format` (`E_INVALID_ARGUMENT` for another format). */
export function captions(words: readonly TimedWord[], format: CaptionFormat, options: CueOptions = {}): string {
  if (format !== 'vtt' && format !== 'srt')
    throw new SluiceError('E_INVALID_ARGUMENT', `captions: format must be vtt or srt, got ${String(format)}`);
  const cues = wordsToCues(words, options);
  return format === 'vtt' ? toWebVtt(cues) : toSrt(cues);
}
