import { SluiceError } from '@sluice/core';

/** A piece of the caller's text, with its place in it. */
export interface TextSegment {
  /** The text to synthesize (for SSML, wrapped in its own `<speak>` element). */
  text: string;
  /** Offset of the piece in the caller's text (UTF-16 code units). */
  start: number;
  /** Offset just past the piece. */
  end: number;
  /**
   * Where offset 0 of the caller's text sits in `text` minus `start`: for
   * plain text 0, for SSML the length of the `<speak>` wrapper added in front.
   */
  prefix: number;
  /** Characters the engine bills (SSML tags not counted). */
  billed: number;
}

/** Options for {@link segmentText}. */
export interface SegmentOptions {
  /** Largest segment in billed characters (Polly: 3,000). */
  maxSegmentChars: number;
  /** The text is SSML (`<speak>…</speak>`). */
  ssml?: boolean;
  /** Language of the text (BCP 47, e.g. `en-US`), for sentence boundaries (default `en`). */
  language?: string;
  /** Put the first sentence in a segment of its own, so the first audio comes sooner (default true). */
  firstSentenceAlone?: boolean;
}

const ABBREVIATION = /(?:^|[\s(])(?:Mr|Mrs|Ms|Dr|Prof|Sr|Jr|St|Mt|vs|etc|e\.g|i\.e|cf|Inc|Ltd|Co|No|Fig|Vol|approx|[A-Z])\.\s*$/;
const CLAUSE_END = /[,;:\u2014\u2013)]\s+|\s[\u2014\u2013-]\s/g;

/** Marks where tags are: `inTag[i]` for characters inside `<…>`, and the element depth at each offset. */
function tagMap(text: string): { inTag: Uint8Array; depth: Int32Array } {
  const inTag = new Uint8Array(text.length);
  const depth = new Int32Array(text.length + 1);
  let level = 0;
  for (let i = 0; i < text.length; i++) {
    depth[i] = level;
    if (text[i] !== '<') continue;
    const close = text.indexOf('>', i);
    if (close < 0)
      throw new SluiceError('E_TTS_INVALID_TEXT', `SSML: the tag at character ${i} is never closed`, {
        details: { start: i, end: text.length },
      });
    const tag = text.slice(i, close + 1);
    if (tag.indexOf('<', 1) >= 0)
      throw new SluiceError('E_TTS_INVALID_TEXT', `SSML: the tag at character ${i} is never closed`, {
        details: { start: i, end: close + 1 },
      });
    for (let j = i; j <= close; j++) {
      inTag[j] = 1;
      depth[j] = level;
    }
    if (!/^<speak\b/i.test(tag) && !/^<\/speak>/i.test(tag)) {
      if (tag.startsWith('</')) level--;
      else if (!tag.endsWith('/>') && !tag.startsWith('<!') && !tag.startsWith('<?')) level++;
    }
    i = close;
  }
  depth[text.length] = level;
  return { inTag, depth };
}

/** Characters outside tags in text[start, end). */
function billedLength(inTag: Uint8Array | undefined, start: number, end: number): number {
  if (inTag === undefined) return end - start;
  let count = 0;
  for (let i = start; i < end; i++) if (inTag[i] === 0) count++;
  return count;
}

/** Sentence boundaries (offsets where a new sentence starts) allowed by tags and abbreviations. */
function sentenceBreaks(text: string, from: number, to: number, locale: string, tags?: { inTag: Uint8Array; depth: Int32Array }): number[] {
  // Tags become spaces of the same length, so offsets stay put and tags never end a sentence.
  const masked = tags === undefined ? text.slice(from, to) : text.slice(from, to).replace(/<[^>]*>/g, (tag) => ' '.repeat(tag.length));
  const breaks: number[] = [];
  for (const { index } of new Intl.Segmenter(locale, { granularity: 'sentence' }).segment(masked)) {
    const at = from + index;
    if (at === from) continue;
    // A real sentence end is followed by space: '?' in a URL or '.' in 3.14 is not.
    if (!/\s/.test(masked[index - 1] as string)) continue;
    if (ABBREVIATION.test(masked.slice(0, index))) continue;
    if (tags !== undefined && ((tags.depth[at] as number) !== 0 || tags.inTag[at] === 1)) continue;
    breaks.push(at);
  }
  return breaks;
}

/** Splits text[start, end) into pieces of at most `max` billed characters: at clause ends, then spaces, then anywhere outside a tag. */
function splitLong(text: string, start: number, end: number, max: number, inTag?: Uint8Array): number[] {
  const cuts: number[] = [];
  let from = start;
  while (billedLength(inTag, from, end) > max) {
    // The furthest offset that keeps the piece within budget.
    let limit = from;
    for (let billed = 0; limit < end && billed + (inTag?.[limit] === 1 ? 0 : 1) <= max; limit++) billed += inTag?.[limit] === 1 ? 0 : 1;
    const window = text.slice(from, limit);
    const ok = (cut: number) => cut > from && (inTag === undefined || inTag[cut - 1] === 0 || text[cut - 1] === '>') && inTag?.[cut] !== 1;
    let cut = -1;
    for (const match of window.matchAll(CLAUSE_END)) {
      const at = from + (match.index as number) + match[0].length;
      if (at < limit && ok(at)) cut = at;
    }
    if (cut < 0) {
      for (let i = limit - 1; i > from; i--) {
        if (/\s/.test(text[i - 1] as string) && ok(i)) {
          cut = i;
          break;
        }
      }
    }
    if (cut < 0) {
      for (let i = limit; i > from; i--) {
        if (ok(i)) {
          cut = i;
          break;
        }
      }
    }
    if (cut <= from)
      throw new SluiceError('E_TTS_INVALID_TEXT', `a tag at ${from} is longer than ${max} characters`, { details: { start: from, end } });
    cuts.push(cut);
    from = cut;
  }
  return cuts;
}

/**
 * Splits text into segments an engine can take: sentences (Intl.Segmenter,
 * not after common abbreviations; decimals and URLs stay whole because they
 * have no space after the dot), packed up to `maxSegmentChars` billed characters;
 * sentences longer than that split at clause ends, then between words. SSML
 * is split only between top-level sentences, never inside a tag or an
 * element, and each piece is wrapped in its own `<speak>`. The segments
 * cover the text end to end: nothing is dropped or repeated.
 */
export function segmentText(text: string, options: SegmentOptions): TextSegment[] {
  const { maxSegmentChars: maxChars, ssml = false, language: locale = 'en', firstSentenceAlone = true } = options;
  if (!Number.isInteger(maxChars) || maxChars < 1)
    throw new SluiceError('E_INVALID_ARGUMENT', `maxSegmentChars must be a positive integer, got ${maxChars}`);
  let from = 0;
  let to = text.length;
  let tags: { inTag: Uint8Array; depth: Int32Array } | undefined;
  if (ssml) {
    const open = /^\s*<speak\b[^>]*>/i.exec(text);
    const close = /<\/speak>\s*$/i.exec(text);
    if (open === null || close === null)
      throw new SluiceError('E_TTS_INVALID_TEXT', 'SSML must be one <speak>…</speak> element', { details: { start: 0, end: text.length } });
    from = open[0].length;
    to = close.index;
    tags = tagMap(text);
  }
  const bounds = [from, ...sentenceBreaks(text, from, to, locale, tags), to];
  const sentences: [number, number][] = [];
  for (let i = 0; i + 1 < bounds.length; i++) {
    const start = bounds[i] as number;
    const end = bounds[i + 1] as number;
    const cuts = [start, ...splitLong(text, start, end, maxChars, tags?.inTag), end];
    for (let j = 0; j + 1 < cuts.length; j++) sentences.push([cuts[j] as number, cuts[j + 1] as number]);
  }
  const pieces: [number, number][] = [];
  for (const [start, end] of sentences) {
    const last = pieces.at(-1);
    const alone = firstSentenceAlone && pieces.length === 1 && last?.[0] === from;
    if (last !== undefined && !alone && billedLength(tags?.inTag, last[0], end) <= maxChars) last[1] = end;
    else pieces.push([start, end]);
  }
  const prefix = ssml ? '<speak>' : '';
  return pieces
    .filter(
      ([start, end]) =>
        text
          .slice(start, end)
          .replace(/<[^>]*>/g, '')
          .trim().length > 0 ||
        (ssml && /<(break|mark|audio)\b/i.test(text.slice(start, end))),
    )
    .map(([start, end]) => ({
      text: ssml ? `${prefix}${text.slice(start, end)}</speak>` : text.slice(start, end),
      start,
      end,
      prefix: prefix.length,
      billed: billedLength(tags?.inTag, start, end),
    }));
}
