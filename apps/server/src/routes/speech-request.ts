import type { TtsEngine, TtsVoice } from '@sluice/tts';
import { espeakVoiceFor } from '@sluice/tts-espeak';
import type { Container } from '@sluice/writers';
import { badRequest } from '../errors';

/** OpenAI's response formats and how Sluice writes each one (look up with {@link responseFormatOf}: own keys only). */
export const RESPONSE_FORMATS = {
  mp3: { container: 'mp3', mime: 'audio/mpeg' },
  opus: { container: 'opus', mime: 'audio/ogg' },
  aac: { container: 'aac', mime: 'audio/aac' },
  flac: { container: 'flac', mime: 'audio/flac' },
  wav: { container: 'wav', mime: 'audio/wav' },
  pcm: { container: 'pcm', mime: 'audio/pcm' },
} as const satisfies Record<string, { container: Container; mime: string }>;

export type ResponseFormat = keyof typeof RESPONSE_FORMATS;

/** The response format a client named, or undefined: `toString` and `__proto__` are not formats. */
export function responseFormatOf(name: unknown): ResponseFormat | undefined {
  return typeof name === 'string' && Object.hasOwn(RESPONSE_FORMATS, name) ? (name as ResponseFormat) : undefined;
}

/** The output rate of every response: OpenAI's (24 kHz; `pcm` is 24 kHz s16le mono). */
export const SPEECH_SAMPLE_RATE = 24000;

/** A validated speech request. */
export interface SpeechRequest {
  input: string;
  voice: string;
  engine: string;
  responseFormat: ResponseFormat;
  /** Speaking rate (1 = normal), from OpenAI's `speed`: the one place that word means a rate. */
  rate: number;
  /** OpenAI's `stream_format`: the audio itself (default) or Server-Sent Events of base64 audio. */
  streamFormat: 'audio' | 'sse';
  /** OpenAI's `instructions` (tone, style): accepted, not used by these engines. */
  instructions?: string;
  /** Timed route: also send the words as captions in this format. */
  captions?: 'vtt' | 'srt';
}

const MAX_INPUT = 4096 * 4;

/** Validates OpenAI's JSON body (plus Sluice's `engine`); `E_INVALID_ARGUMENT` with what was wrong. */
export function parseSpeechRequest(body: unknown, engines: readonly string[]): SpeechRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('the body must be a JSON object');
  const object = body as Record<string, unknown>;
  // Own keys only: a body's prototype (or a `__proto__` key) never supplies a field.
  const field = (key: string): unknown => (Object.hasOwn(object, key) ? object[key] : undefined);
  const input = field('input');
  if (typeof input !== 'string' || input.trim().length === 0) throw badRequest('input must be a non-empty string');
  if (input.length > MAX_INPUT) throw badRequest(`input is ${input.length} characters; this server takes at most ${MAX_INPUT}`);
  const requested = field('response_format') ?? 'mp3';
  const format = responseFormatOf(requested);
  if (format === undefined) {
    throw badRequest(`response_format must be one of ${Object.keys(RESPONSE_FORMATS).join(', ')}`, { response_format: String(requested) });
  }
  const speed = field('speed') ?? 1;
  if (typeof speed !== 'number' || !(speed >= 0.25 && speed <= 4)) throw badRequest('speed must be a number from 0.25 to 4.0');
  const engine = field('engine') ?? engines[0];
  if (typeof engine !== 'string' || !engines.includes(engine)) throw badRequest(`engine must be one of ${engines.join(', ')}`);
  const voice = field('voice') ?? 'alloy';
  if (typeof voice !== 'string' || voice.length === 0 || voice.length > 100) throw badRequest('voice must be a voice name');
  if (field('model') !== undefined && typeof field('model') !== 'string') throw badRequest('model must be a string');
  const streamFormat = field('stream_format') ?? 'audio';
  if (streamFormat !== 'audio' && streamFormat !== 'sse') throw badRequest('stream_format must be audio or sse');
  const captions = field('captions');
  if (captions !== undefined && captions !== 'vtt' && captions !== 'srt') throw badRequest('captions must be vtt or srt');
  const instructions = field('instructions');
  if (instructions !== undefined && typeof instructions !== 'string') throw badRequest('instructions must be a string');
  return {
    input,
    voice,
    engine,
    responseFormat: format,
    rate: speed,
    streamFormat,
    ...(instructions === undefined ? {} : { instructions }),
    ...(captions === undefined ? {} : { captions }),
  };
}

/** The engine's own voice id for a requested voice (an OpenAI name or the engine's id); `E_TTS_VOICE` otherwise. */
export async function resolveVoice(engine: TtsEngine, requested: string, unknown: (voices: TtsVoice[]) => Error): Promise<string> {
  const voices = await engine.voices();
  const mapped = engine.name === 'espeak' ? espeakVoiceFor(requested) : requested;
  if (
    voices.some((voice) => voice.id === mapped) ||
    (engine.name === 'espeak' && voices.some((voice) => voice.languages?.includes(mapped)))
  ) {
    return mapped;
  }
  throw unknown(voices);
}
