import type { TtsEngine } from '@sluice/tts';
import { espeakVoiceFor } from '@sluice/tts-espeak';
import { UsageError } from '../io';

/** Options shared by `sluice tts` and `sluice voices` to pick and configure an engine. */
export const ENGINE_OPTIONS = {
  engine: { type: 'string' },
  region: { type: 'string' },
  endpoint: { type: 'string' },
  'polly-engine': { type: 'string' },
  http: { type: 'string' },
} as const;

const POLLY_ENGINES = ['standard', 'neural', 'long-form', 'generative'] as const;

/** The voice to ask an engine for: eSpeak also takes OpenAI's voice names (alloy, nova, …), as the demo server does. */
export function engineVoice(engine: TtsEngine, voice: string): string {
  return engine.name === 'espeak' ? espeakVoiceFor(voice) : voice;
}

/**
 * The engine a command asked for: eSpeak (offline, the default) or Polly
 * (credentials and region from the AWS SDK's chain; `--endpoint`, or the
 * SDK's AWS_ENDPOINT_URL_POLLY / AWS_ENDPOINT_URL, for another server).
 * Engines load lazily, so a command that only needs one never loads the other.
 */
export async function createEngine(values: Record<string, unknown>): Promise<TtsEngine> {
  const name = (values.engine as string | undefined) ?? 'espeak';
  if (name === 'espeak') {
    const { EspeakEngine } = await import('@sluice/tts-espeak');
    return new EspeakEngine();
  }
  if (name !== 'polly') throw new UsageError(`--engine must be espeak or polly, got "${name}"`);
  const engine = values['polly-engine'] as string | undefined;
  if (engine !== undefined && !(POLLY_ENGINES as readonly string[]).includes(engine)) {
    throw new UsageError(`--polly-engine must be one of ${POLLY_ENGINES.join(', ')}, got "${engine}"`);
  }
  const http = values.http as string | undefined;
  if (http !== undefined && http !== '1' && http !== '2') throw new UsageError(`--http must be 1 or 2, got "${http}"`);
  const { PollyEngine } = await import('@sluice/tts-polly');
  return new PollyEngine({
    ...(values.region === undefined ? {} : { region: values.region as string }),
    ...(values.endpoint === undefined ? {} : { endpoint: values.endpoint as string }),
    ...(engine === undefined ? {} : { engine: engine as (typeof POLLY_ENGINES)[number] }),
    ...(http === undefined ? {} : { http: http === '2' ? 'http2' : 'http1' }),
  });
}
