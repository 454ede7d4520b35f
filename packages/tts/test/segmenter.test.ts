import { describe, expect, it } from 'vitest';
import { segmentText } from '../src/index';

const joined = (text: string, maxSegmentChars: number, ssml = false) => segmentText(text, { maxSegmentChars, ssml });

describe('segmentText', () => {
  it('cuts sentences, keeps abbreviations, decimals and URLs whole, and covers the text end to end', () => {
    const text = 'Dr. Smith paid $3.14 at https://example.com/a.b?c=1. Then he left! Did he? Yes. ';
    const segments = joined(text, 3000);
    expect(segments.map((s) => s.text.trim())).toEqual([
      'Dr. Smith paid $3.14 at https://example.com/a.b?c=1.',
      'Then he left! Did he? Yes.',
    ]);
    expect(segments.map((s) => s.text).join('')).toBe(text);
    for (const s of segments) expect(text.slice(s.start, s.end)).toBe(s.text);
  });

  it('packs sentences up to the limit (the first alone, for a quick start) and never loses or repeats text', () => {
    const sentences = Array.from({ length: 40 }, (_, i) => `Sentence number ${i} is here.`);
    const text = sentences.join(' ');
    const segments = joined(text, 100);
    expect(segments[0]?.text).toBe('Sentence number 0 is here. ');
    expect(segments.every((s) => s.billed <= 100)).toBe(true);
    expect(segments.map((s) => s.text).join('')).toBe(text);
    expect(segments.length).toBeLessThan(20);
  });

  it('splits a sentence longer than the limit at clause ends, then between words', () => {
    const long = `${'alpha beta gamma, '.repeat(30)}and ${'word '.repeat(200)}end.`;
    const segments = joined(long, 120);
    expect(segments.every((s) => s.billed <= 120)).toBe(true);
    expect(segments.map((s) => s.text).join('')).toBe(long);
    expect(segments[0]?.text.trimEnd().endsWith(',')).toBe(true);
    expect(segments.every((s) => !/\w$/.test(s.text) || s === segments.at(-1) || /\s$/.test(s.text))).toBe(true);
  });

  it('splits SSML only between top-level sentences, wraps each piece, and does not bill tags', () => {
    const ssml = `<speak>Hello <emphasis>big. World.</emphasis> Next one. <break time="1s"/>Last <prosody rate="slow">slow one.</prosody></speak>`;
    const segments = joined(ssml, 3000, true);
    expect(segments.map((s) => s.text)).toEqual([
      '<speak>Hello <emphasis>big. World.</emphasis> </speak>',
      '<speak>Next one. <break time="1s"/>Last <prosody rate="slow">slow one.</prosody></speak>',
    ]);
    expect(segments[0]?.billed).toBe('Hello big. World. '.length);
    expect(segments[0]?.prefix).toBe('<speak>'.length);
    expect(() => joined('Hello <b>unclosed', 100, true)).toThrow(/speak/);
    expect(() => joined('<speak>Hello <b</speak>', 100, true)).toThrow();
  });
});
