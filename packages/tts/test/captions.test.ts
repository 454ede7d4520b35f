import { describe, expect, it } from 'vitest';
import { captions, toSrt, toWebVtt, wordsToCues } from '../src/index';
import { expectThrowCode } from '@sluice/config/test-helpers';

const words = (spec: [string, number, number][]) => spec.map(([text, startSeconds, endSeconds]) => ({ text, startSeconds, endSeconds }));

describe('captions from word timings', () => {
  it('groups words into cues at sentence ends, long pauses, and the word and length limits', () => {
    const cues = wordsToCues(
      words([
        ['Hello', 0, 0.4],
        ['there.', 0.45, 0.9],
        ['A', 1.0, 1.1],
        ['long', 1.15, 1.4],
        ['pause', 1.45, 1.8],
        ['then', 3.0, 3.2],
        ['more', 3.25, 3.5],
      ]),
      { maxWords: 7 },
    );
    expect(cues).toEqual([
      { startSeconds: 0, endSeconds: 0.9, text: 'Hello there.' },
      { startSeconds: 1.0, endSeconds: 1.8, text: 'A long pause' },
      { startSeconds: 3.0, endSeconds: 3.5, text: 'then more' },
    ]);
    const many = words(Array.from({ length: 10 }, (_, i): [string, number, number] => [`w${i}`, i * 0.2, i * 0.2 + 0.15]));
    expect(wordsToCues(many, { maxWords: 4 }).map((cue) => cue.text.split(' ').length)).toEqual([4, 4, 2]);
  });

  it('with the spoken text, cues keep its punctuation and break at its sentence ends (engines drop punctuation)', () => {
    const text = 'Hi, there. How are you?';
    const timed = [
      { text: 'Hi', start: 0, end: 2, startSeconds: 0, endSeconds: 0.3 },
      { text: 'there', start: 4, end: 9, startSeconds: 0.35, endSeconds: 0.7 },
      { text: 'How', start: 11, end: 14, startSeconds: 0.9, endSeconds: 1.1 },
      { text: 'are', start: 15, end: 18, startSeconds: 1.15, endSeconds: 1.3 },
      { text: 'you', start: 19, end: 22, startSeconds: 1.35, endSeconds: 1.6 },
    ];
    expect(wordsToCues(timed, { text }).map((cue) => cue.text)).toEqual(['Hi, there.', 'How are you?']);
  });

  it('writes WebVTT and SRT with their own timestamp forms, past an hour too', () => {
    const cues = [
      { startSeconds: 0, endSeconds: 1.5, text: 'One & <two>' },
      { startSeconds: 3723.25, endSeconds: 3724.0005, text: 'later --> still' },
    ];
    expect(toWebVtt(cues)).toBe(
      'WEBVTT\n\n00:00:00.000 --> 00:00:01.500\nOne &amp; &lt;two>\n\n01:02:03.250 --> 01:02:04.001\nlater --&gt; still\n',
    );
    expect(toSrt(cues)).toBe('1\n00:00:00,000 --> 00:00:01,500\nOne & <two>\n\n2\n01:02:03,250 --> 01:02:04,001\nlater --> still\n');
    expect(captions(words([['Hi.', 0, 0.3]]), 'srt')).toBe('1\n00:00:00,000 --> 00:00:00,300\nHi.\n');
    expectThrowCode(() => captions([], 'ass' as 'vtt'), 'E_INVALID_ARGUMENT');
  });
});
