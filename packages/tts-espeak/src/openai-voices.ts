/**
 * OpenAI's speech voice names and the eSpeak-NG English voices that speak
 * them, so `alloy`, `nova`, … work wherever Sluice takes a voice (the demo
 * server's OpenAI-compatible route and `sluice tts --voice`). A Map, so a
 * user's string never finds a property of Object.prototype.
 */
export const OPENAI_VOICES: ReadonlyMap<string, string> = new Map([
  ['alloy', 'gmw/en-US'],
  ['ash', 'gmw/en-US-nyc'],
  ['ballad', 'gmw/en-GB-x-rp'],
  ['coral', 'gmw/en-029'],
  ['echo', 'gmw/en'],
  ['fable', 'gmw/en-GB-scotland'],
  ['nova', 'gmw/en-GB-x-gbcwmd'],
  ['onyx', 'gmw/en-GB-x-gbclan'],
  ['sage', 'gmw/en-GB-x-rp'],
  ['shimmer', 'gmw/en-029'],
  ['verse', 'gmw/en-US'],
]);

/** The eSpeak voice for an OpenAI voice name; any other name is returned as it is (an eSpeak voice id or language). */
export function espeakVoiceFor(name: string): string {
  return OPENAI_VOICES.get(name) ?? name;
}
