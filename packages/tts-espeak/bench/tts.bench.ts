/**
 * Streaming TTS on a 2,000-character text: time to first audio and total
 * time with eSpeak (cold: a fresh engine, WebAssembly and voice data loaded
 * first; warm: the same engine again) and with Amazon Polly's SDK against
 * the local Polly-compatible server, which waits 100 ms before answering
 * each request, then streams 60 ms of speech per character at 20× real time
 * (the pace of a fast cloud voice). Targets: first
 * audio within 15% of the total; warm eSpeak first audio ≤ 50 ms.
 */
import { finish, proseOfLength, report } from '@sluice/config/bench';
import { TtsStream, type TtsEngine } from '@sluice/tts';
import { PollyEngine } from '@sluice/tts-polly';
import { PollyServer } from '@sluice/test-servers/polly';
import { EspeakEngine } from '../src/index';

const text = proseOfLength(2000);

async function speak(engine: TtsEngine): Promise<{ firstAudioMs: number; totalMs: number; audioSeconds: number }> {
  const started = performance.now();
  const stream = new TtsStream({ engine });
  stream.feed(text);
  stream.done();
  let firstAudioMs = Number.NaN;
  let frames = 0;
  for await (const chunk of stream) {
    if (Number.isNaN(firstAudioMs) && chunk.frames > 0) firstAudioMs = performance.now() - started;
    frames += chunk.frames;
  }
  return { firstAudioMs, totalMs: performance.now() - started, audioSeconds: frames / stream.format.sampleRate };
}

// eSpeak: cold (load reported apart), then warm runs on the same engine.
const espeak = new EspeakEngine();
const loadStarted = performance.now();
await espeak.load();
const espeakLoadMs = performance.now() - loadStarted;
const cold = await speak(espeak);
const warmRuns = [await speak(espeak), await speak(espeak), await speak(espeak)];
const warm = warmRuns.sort((a, b) => a.totalMs - b.totalMs)[1] as (typeof warmRuns)[number];
await espeak.close();
const espeakFigures = {
  characters: text.length,
  espeakLoadMs,
  espeakColdFirstAudioMs: cold.firstAudioMs,
  espeakColdTotalMs: cold.totalMs,
  espeakWarmFirstAudioMs: warm.firstAudioMs,
  espeakWarmTotalMs: warm.totalMs,
  espeakAudioSeconds: warm.audioSeconds,
  espeakSpeed: warm.audioSeconds / (warm.totalMs / 1000),
  espeakWarmFirstAudioShare: warm.firstAudioMs / warm.totalMs,
  espeakTotalVsNative: warm.totalMs / 230,
};
report('eSpeak-NG (WebAssembly, worker thread), 2,000 characters', espeakFigures);

// Polly through the AWS SDK against the local server.
const server = await new PollyServer({ msPerChar: 60, delayMs: 100, pieces: 16, speed: 20 }).start();
const polly = new PollyEngine({ endpoint: server.http1Url, credentials: { accessKeyId: 'A', secretAccessKey: 'B' } });
await speak(polly);
const pollyRun = await speak(polly);
await polly.close();
await server.stop();
const pollyFigures = {
  pollyRequestDelayMs: 100,
  pollyServerSpeed: 20,
  pollyFirstAudioMs: pollyRun.firstAudioMs,
  pollyTotalMs: pollyRun.totalMs,
  pollyAudioSeconds: pollyRun.audioSeconds,
  pollyFirstAudioShare: pollyRun.firstAudioMs / pollyRun.totalMs,
};
report('Polly SDK against the local server (100 ms per request, 20× real time), 2,000 characters', pollyFigures);

finish({ ...espeakFigures, ...pollyFigures });
