import { Pipeline } from '@sluice/core';
import { type TtsEngine, TtsStream, unknownVoice } from '@sluice/tts';
import { BytesCallbackSink, ByteStreamSink, type OutputFormat } from '@sluice/writers';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ServerContext } from '../context';
import { toErrorResponse } from '../errors';
import {
  OPENAI_VOICES,
  RESPONSE_FORMATS,
  SPEECH_SAMPLE_RATE,
  type SpeechRequest,
  parseSpeechRequest,
  resolveVoice,
} from './speech-request';

/** 16-bit samples for the uncompressed formats, as OpenAI sends them; codecs choose their own. */
function encodeOptions(format: OutputFormat): { format: OutputFormat; sampleFormat?: 's16le' } {
  return format === 'wav' || format === 'pcm' ? { format, sampleFormat: 's16le' } : { format };
}

/** Starts a speech stream for a validated request, cancelled when the client goes away. */
async function openSpeech(context: ServerContext, reply: FastifyReply, speech: SpeechRequest) {
  const engine = context.engines.get(speech.engine) as TtsEngine;
  const voice = await resolveVoice(engine, speech.voice, (voices) => unknownVoice(engine.name, speech.voice, voices));
  context.slots.acquire('speech');
  const controller = new AbortController();
  // The client going away stops the synthesis: nothing keeps running for nobody.
  reply.raw.on('close', () => {
    if (!reply.raw.writableFinished) controller.abort();
  });
  const stream = new TtsStream({ engine, voice, rate: speech.speed, sampleRate: SPEECH_SAMPLE_RATE, signal: controller.signal });
  stream.on('error', () => undefined);
  return { stream, controller };
}

/** Records a finished (or failed) stream in the metrics and frees its slot. */
function finish(context: ServerContext, stream: TtsStream, bytes: number): void {
  context.slots.release('speech');
  context.metrics.count('sluice_bytes_out_total', {}, bytes);
  void stream.waitUntilDone().then(
    (stats) => {
      if (stats.totalMs > 0) context.metrics.set('sluice_synthesis_speed', stats.audioSeconds / (stats.totalMs / 1000));
      if (Number.isFinite(stats.firstAudioMs)) context.metrics.set('sluice_speech_first_byte_seconds', stats.firstAudioMs / 1000);
    },
    () => undefined,
  );
}

/** `POST /v1/audio/speech` (OpenAI-compatible), `POST /v1/audio/speech/timed` (NDJSON with words), `GET /v1/audio/voices`. */
export function speechRoutes(app: FastifyInstance, context: ServerContext): void {
  app.post('/v1/audio/speech', async (request, reply) => {
    const speech = parseSpeechRequest(request.body, [...context.engines.keys()]);
    const { stream } = await openSpeech(context, reply, speech);
    const { format, mime } = RESPONSE_FORMATS[speech.responseFormat];
    reply.hijack();
    reply.raw.writeHead(200, { 'Content-Type': mime, 'Cache-Control': 'no-store', 'X-Sluice-Engine': speech.engine });
    const socket = reply.raw.socket;
    const startBytes = socket?.bytesWritten ?? 0;
    const pipeline = new Pipeline({ source: stream, sink: new ByteStreamSink(reply.raw, encodeOptions(format)) }).wait();
    stream.feed(speech.input);
    stream.done();
    try {
      await pipeline;
    } catch (error) {
      // Headers are gone: all that is left to say is a cut connection, and the log.
      if (!reply.raw.destroyed) request.log.warn({ code: toErrorResponse(error).body.error.code }, 'speech stream failed mid-way');
      reply.raw.destroy();
    } finally {
      finish(context, stream, (socket?.bytesWritten ?? startBytes) - startBytes);
    }
  });

  app.post('/v1/audio/speech/timed', async (request, reply) => {
    const speech = parseSpeechRequest(request.body, [...context.engines.keys()]);
    const { stream } = await openSpeech(context, reply, speech);
    const { format } = RESPONSE_FORMATS[speech.responseFormat];
    reply.hijack();
    reply.raw.writeHead(200, { 'Content-Type': 'application/x-ndjson', 'Cache-Control': 'no-store' });
    let bytes = 0;
    let seq = 0;
    const line = (value: unknown) => {
      if (!reply.raw.destroyed) reply.raw.write(`${JSON.stringify(value)}\n`);
    };
    line({ type: 'format', response_format: speech.responseFormat, sample_rate: SPEECH_SAMPLE_RATE, channels: 1 });
    stream.on('word', (word) => line({ type: 'word', ...word }));
    const sink = new BytesCallbackSink((data) => {
      if (data.length === 0) return;
      bytes += data.length;
      line({ type: 'audio', seq: seq++, data: Buffer.from(data).toString('base64') });
    }, encodeOptions(format));
    const pipeline = new Pipeline({ source: stream, sink }).wait();
    stream.feed(speech.input);
    stream.done();
    try {
      await pipeline;
      const stats = await stream.waitUntilDone();
      line({ type: 'done', audio_seconds: stats.audioSeconds, first_audio_ms: stats.firstAudioMs, word_timings: stats.wordTimings });
    } catch (error) {
      line({ type: 'error', ...toErrorResponse(error).body });
    } finally {
      reply.raw.end();
      finish(context, stream, bytes);
    }
  });

  app.get('/v1/audio/voices', async () => {
    const voices = [];
    for (const [name, engine] of context.engines) {
      for (const voice of await engine.voices()) voices.push({ engine: name, ...voice });
    }
    return { openai_voices: Object.keys(OPENAI_VOICES), voices };
  });
}
