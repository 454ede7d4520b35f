import { Pipeline, type Sink, writeToNode } from '@sluice/core';
import { type TtsEngine, TtsStream, type WordEvent, captions, unknownVoice } from '@sluice/tts';
import { BytesCallbackSink, ByteStreamSink, type Container } from '@sluice/writers';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ServerContext } from '../context';
import { toErrorResponse } from '../errors';
import { clientGone } from './client-signal';
import type { FirstAudioStage } from './first-audio';
import { OPENAI_VOICES } from '@sluice/tts-espeak';
import { RESPONSE_FORMATS, SPEECH_SAMPLE_RATE, type SpeechRequest, parseSpeechRequest, resolveVoice } from './speech-request';

/** 16-bit samples for the uncompressed formats, as OpenAI sends them; codecs choose their own. */
function encodeOptions(container: Container): { container: Container; sampleFormat?: 's16le' } {
  return container === 'wav' || container === 'pcm' ? { container, sampleFormat: 's16le' } : { container };
}

/** One speech response in progress: its stream, the signal that ends it (the client gone), its place among new streams. */
interface SpeechSession {
  stream: TtsStream;
  signal: AbortSignal;
  firstAudio: FirstAudioStage;
}

/**
 * Runs one speech response: validates and resolves everything a request can
 * get wrong before anything is held, then takes a slot and gives it back on
 * every path (finished, failed, client gone). The client leaving aborts the
 * synthesis and the encoder at once.
 */
async function withSpeech(
  context: ServerContext,
  request: FastifyRequest,
  reply: FastifyReply,
  body: (speech: SpeechRequest, session: SpeechSession) => Promise<void>,
): Promise<void> {
  const speech = parseSpeechRequest(request.body, [...context.engines.keys()]);
  const engine = context.engines.get(speech.engine) as TtsEngine;
  const voice = await resolveVoice(engine, speech.voice, (voices) => unknownVoice(engine.name, speech.voice, voices));
  const release = context.slots.acquire('speech');
  const signal = clientGone(request, reply);
  const stream = new TtsStream({ engine, voice, rate: speech.rate, sampleRate: SPEECH_SAMPLE_RATE, signal });
  stream.on('error', () => undefined);
  const firstAudio = context.firstAudio.stage();
  const socket = request.raw.socket;
  const startBytes = socket?.bytesWritten ?? 0;
  try {
    reply.hijack();
    await body(speech, { stream, signal, firstAudio });
  } finally {
    firstAudio.release();
    await stream.close();
    release();
    record(context, stream, (socket?.bytesWritten ?? startBytes) - startBytes);
  }
}

/** Records a finished (or failed) stream in the metrics. */
function record(context: ServerContext, stream: TtsStream, bytes: number): void {
  context.metrics.count('sluice_bytes_out_total', {}, bytes);
  void stream.waitUntilDone().then(
    (stats) => {
      if (stats.processingSeconds > 0) context.metrics.set('sluice_synthesis_speed', stats.speed);
      if (Number.isFinite(stats.firstAudioSeconds)) context.metrics.set('sluice_speech_first_byte_seconds', stats.firstAudioSeconds);
    },
    () => undefined,
  );
}

async function run({ stream, signal, firstAudio }: SpeechSession, sink: Sink, input: string): Promise<void> {
  const pipeline = new Pipeline({ source: stream, processors: [firstAudio], sink, signal }).wait();
  stream.feed(input);
  stream.done();
  await pipeline;
}

/**
 * OpenAI's `stream_format: "sse"`: `speech.audio.delta` events carrying
 * base64 audio as it is encoded, then `speech.audio.done` with usage
 * (counted in characters of input here; these engines have no tokens).
 */
async function runSse(reply: FastifyReply, session: SpeechSession, speech: SpeechRequest, timeoutMs: number): Promise<void> {
  let writing: Promise<void> = Promise.resolve();
  const event = (value: unknown): Promise<void> => {
    writing = writing.then(() => writeToNode(reply.raw, `data: ${JSON.stringify(value)}\n\n`, { timeoutMs }));
    return writing;
  };
  const { container } = RESPONSE_FORMATS[speech.responseFormat];
  const sink = new BytesCallbackSink(
    (data) => (data.length === 0 ? undefined : event({ type: 'speech.audio.delta', audio: Buffer.from(data).toString('base64') })),
    encodeOptions(container),
  );
  await run(session, sink, speech.input);
  const characters = speech.input.length;
  await event({ type: 'speech.audio.done', usage: { input_tokens: characters, output_tokens: 0, total_tokens: characters } });
  reply.raw.end();
}

/** `POST /v1/audio/speech` (OpenAI-compatible), `POST /v1/audio/speech/timed` (NDJSON with words), `GET /v1/audio/voices`. */
export function speechRoutes(app: FastifyInstance, context: ServerContext): void {
  const writeTimeoutMs = context.limits.writeTimeoutMs;

  app.post('/v1/audio/speech', async (request, reply) => {
    await withSpeech(context, request, reply, async (speech, session) => {
      const { signal } = session;
      const { container, mime } = RESPONSE_FORMATS[speech.responseFormat];
      const sse = speech.streamFormat === 'sse';
      reply.raw.writeHead(200, {
        'Content-Type': sse ? 'text/event-stream' : mime,
        'Cache-Control': 'no-store',
        'X-Sluice-Engine': speech.engine,
        ...(speech.instructions === undefined ? {} : { 'X-Sluice-Ignored': 'instructions' }),
        // Raw PCM carries no header of its own: say what it is.
        ...(container === 'pcm' ? { 'X-Sample-Rate': String(SPEECH_SAMPLE_RATE), 'X-Channels': '1', 'X-Sample-Format': 's16le' } : {}),
      });
      try {
        if (sse) await runSse(reply, session, speech, writeTimeoutMs);
        else await run(session, new ByteStreamSink(reply.raw, { ...encodeOptions(container), writeTimeoutMs }), speech.input);
      } catch (error) {
        // Headers are gone: all that is left to say is a cut connection, and the log.
        if (!signal.aborted) request.log.warn({ code: toErrorResponse(error).body.error.code }, 'speech stream failed mid-way');
        reply.raw.destroy();
      }
    });
  });

  app.post('/v1/audio/speech/timed', async (request, reply) => {
    await withSpeech(context, request, reply, async (speech, session) => {
      const { stream, signal } = session;
      const { container } = RESPONSE_FORMATS[speech.responseFormat];
      reply.raw.writeHead(200, { 'Content-Type': 'application/x-ndjson', 'Cache-Control': 'no-store' });
      // Lines wait for the client to take them (bounded by the write timeout); a client gone ends the stream.
      let writing: Promise<void> = Promise.resolve();
      const line = (value: unknown): Promise<void> => {
        writing = writing.then(() => writeToNode(reply.raw, `${JSON.stringify(value)}\n`, { timeoutMs: writeTimeoutMs }));
        return writing;
      };
      let seq = 0;
      const words: WordEvent[] = [];
      stream.on('word', (word) => {
        words.push(word);
        void line({ type: 'word', ...word }).catch(() => undefined);
      });
      const sink = new BytesCallbackSink(
        (data) => (data.length === 0 ? undefined : line({ type: 'audio', seq: seq++, data: Buffer.from(data).toString('base64') })),
        encodeOptions(container),
      );
      try {
        await line({ type: 'format', response_format: speech.responseFormat, sample_rate: SPEECH_SAMPLE_RATE, channels: 1 });
        await run(session, sink, speech.input);
        const stats = await stream.waitUntilDone();
        if (speech.captions)
          await line({ type: 'captions', format: speech.captions, text: captions(words, speech.captions, { text: speech.input }) });
        await line({
          type: 'done',
          audio_seconds: stats.audioSeconds,
          first_audio_seconds: stats.firstAudioSeconds,
          word_timings: stats.wordTimings,
        });
        reply.raw.end();
      } catch (error) {
        if (signal.aborted || reply.raw.destroyed) {
          reply.raw.destroy();
          return;
        }
        await line({ type: 'error', ...toErrorResponse(error).body }).catch(() => undefined);
        reply.raw.end();
      }
    });
  });

  app.get('/v1/audio/voices', async () => {
    const voices = [];
    for (const [name, engine] of context.engines) {
      for (const voice of await engine.voices()) voices.push({ engine: name, ...voice });
    }
    return { openai_voices: [...OPENAI_VOICES.keys()], voices };
  });
}
