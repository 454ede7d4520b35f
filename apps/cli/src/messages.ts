/**
 * Library errors name API options and classes (`{ onDecodeError: 'ignore' }`,
 * `EspeakEngine`, `voices()`), which mean nothing at a shell. The CLI says
 * the same things in its own words: the flag or command that does it.
 */
const REWRITES: readonly [RegExp, string][] = [
  [/pass \{ onDecodeError: 'ignore' \}/g, 'add --ignore-decode-errors'],
  [/\(list them with voices\(\)\)/g, '(list them with `sluice voices`)'],
  [/\bEspeakEngine: /g, 'eSpeak: '],
  [/\bPollyEngine: /g, 'Polly: '],
  [/; pass \{ format \}/g, '; give --format'],
  [/\bFileSource: /g, ''],
  [/\bFileSink: /g, ''],
];

/** An error message as `sluice NAME` prints it: no repeated `NAME:` prefix, CLI words for API words. */
export function cliMessage(command: string, message: string): string {
  let text = message;
  while (text.startsWith(`${command}: `)) text = text.slice(command.length + 2);
  for (const [pattern, replacement] of REWRITES) text = text.replace(pattern, replacement);
  return text;
}

/** The flag that keeps what decodes of a damaged input, shared by every command that reads audio files. */
export const DECODE_OPTIONS = { 'ignore-decode-errors': { type: 'boolean' } } as const;

/** FileSource options from {@link DECODE_OPTIONS}. */
export function decodeErrorOption(values: { 'ignore-decode-errors'?: boolean | undefined }): { onDecodeError?: 'ignore' } {
  return values['ignore-decode-errors'] ? { onDecodeError: 'ignore' } : {};
}
