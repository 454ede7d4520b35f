import {
  DescribeVoicesCommand,
  type Engine,
  type OutputFormat,
  PollyClient,
  type PollyClientConfig,
  SynthesizeSpeechCommand,
  type SynthesizeSpeechCommandInput,
  type VoiceId,
} from '@aws-sdk/client-polly';
import { NodeHttp2Handler, NodeHttpHandler } from '@smithy/node-http-handler';
import { SluiceError } from '@sluice/core';
import { ByteStreamSource } from '@sluice/writers';
import { type SynthesisEvent, type SynthesizeOptions, type TtsEngine, type TtsVoice, type WordMark, unknownVoice } from '@sluice/tts';
import { backoffMs, isRetryable, pollyError, sleep } from './errors';
import { type PollyDuplexOptions, PollyDuplexStream } from './polly-duplex-stream';
import { PcmPieces } from './pcm';
import { parseSpeechMarks } from './speech-marks';

/** Options for {@link PollyEngine}. */
export interface PollyEngineOptions {
  /** AWS region (default: the SDK's chain, e.g. AWS_REGION; us-east-1 when none). */
  region?: string;
  /** Endpoint URL; by default the SDK's own (which honours AWS_ENDPOINT_URL_POLLY and AWS_ENDPOINT_URL). */
  endpoint?: string;
  /** Credentials; by default the SDK's default chain (environment, profile, SSO, instance role…). */
  credentials?: PollyClientConfig['credentials'];
  /** Default voice (default `Joanna`). */
  voice?: string;
  /** Polly engine (default `neural`). `generative` has no speech marks: word timings are reported unavailable. */
  engine?: 'standard' | 'neural' | 'long-form' | 'generative';
  /** What Polly sends: `pcm` (s16le mono, 8 or 16 kHz) or `mp3` / `ogg_vorbis` / `ogg_opus`, decoded through ffmpeg (default `pcm`). */
  outputFormat?: 'pcm' | 'mp3' | 'ogg_vorbis' | 'ogg_opus';
  /** Sample rate Polly synthesizes at (pcm: 8000 or 16000, default 16000; mp3/ogg up to 24000). */
  sampleRate?: number;
  language?: string;
  lexiconNames?: string[];
  /**
   * HTTP handler: `'http1'` (the default) or `'http2'`. The SDK's own default
   * is HTTP/2, for the bidirectional StartSpeechSynthesisStream; plain
   * SynthesizeSpeech does not need it, and HTTP/1.1 works with every endpoint,
   * proxy and Polly-compatible server, so Sluice defaults to it.
   */
  http?: 'http1' | 'http2';
  /** Retries on throttling, 5xx and network errors: attempts in all (default 4), backoff base and cap in ms (200, 5000), full jitter. */
  retry?: { attempts?: number; baseMs?: number; capMs?: number };
  /** Ask for word speech marks (a second request, default true). */
  speechMarks?: boolean;
  /** Per-request timeout in ms (default 30000). */
  requestTimeoutMs?: number;
  /** A client of your own (the options above that configure a client are then ignored). */
  client?: PollyClient;
}

const MAX_BILLED_CHARS = 3000;

/**
 * Amazon Polly through the official SDK. Audio is read from `AudioStream`
 * (a Node Readable) as it arrives and decoded once; word timings come from
 * a speech-marks request made alongside. Throttling, service failures, 5xx
 * and network errors are retried with exponential backoff and full jitter;
 * a stream cut off mid-way is resumed by skipping the bytes already
 * delivered, so nothing is played twice. Other failures are typed errors
 * naming the text span.
 */
export class PollyEngine implements TtsEngine {
  readonly name = 'polly';
  readonly maxSegmentChars = MAX_BILLED_CHARS;
  readonly supportsSsml = true;
  readonly sampleRate: number;
  readonly client: PollyClient;
  private readonly options: PollyEngineOptions;
  private voiceList: Promise<TtsVoice[]> | undefined;
  private duplexClient: PollyClient | undefined;

  constructor(options: PollyEngineOptions = {}) {
    this.options = options;
    const format = options.outputFormat ?? 'pcm';
    this.sampleRate = options.sampleRate ?? (format === 'pcm' ? 16000 : 24000);
    if (format === 'pcm' && this.sampleRate !== 8000 && this.sampleRate !== 16000) {
      throw new SluiceError(
        'E_INVALID_ARGUMENT',
        `PollyEngine: pcm comes at 8000 or 16000 Hz, not ${this.sampleRate}; use outputFormat 'mp3' or 'ogg_vorbis' for 22050/24000 Hz`,
      );
    }
    this.client = options.client ?? this.createClient(options.http ?? 'http1');
  }

  private createClient(http: 'http1' | 'http2'): PollyClient {
    const options = this.options;
    const timeout = options.requestTimeoutMs ?? 30_000;
    return new PollyClient({
      region: options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1',
      maxAttempts: 1,
      ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
      ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
      requestHandler:
        http === 'http2'
          ? new NodeHttp2Handler({ requestTimeout: timeout, disableConcurrentStreams: true })
          : new NodeHttpHandler({ connectionTimeout: timeout, requestTimeout: timeout }),
    });
  }

  async voices(signal?: AbortSignal): Promise<TtsVoice[]> {
    this.voiceList ??= this.withRetry({ start: 0, end: 0 }, signal, async () => {
      const out = await this.client.send(new DescribeVoicesCommand({ IncludeAdditionalLanguageCodes: true }), { abortSignal: signal });
      return (out.Voices ?? []).map((voice) => ({
        id: voice.Id ?? '',
        name: voice.Name ?? voice.Id ?? '',
        language: voice.LanguageCode ?? '',
        languages: [voice.LanguageCode ?? '', ...(voice.AdditionalLanguageCodes ?? [])].filter(Boolean),
        ...(voice.Gender === undefined ? {} : { gender: voice.Gender.toLowerCase() as TtsVoice['gender'] }),
        engines: voice.SupportedEngines ?? [],
      }));
    });
    return this.voiceList.catch((error: unknown) => {
      this.voiceList = undefined;
      throw error;
    });
  }

  async *synthesize(text: string, options: SynthesizeOptions = {}, signal?: AbortSignal): AsyncIterable<SynthesisEvent> {
    if (text.trim().length === 0) return;
    const span = { start: 0, end: text.length };
    const engine = this.options.engine ?? 'neural';
    const input = this.input(text, options);
    let words: WordMark[] | undefined;
    let wordsFailure: unknown;
    const marks =
      this.options.speechMarks === false || engine === 'generative'
        ? undefined
        : this.speechMarks(input, text, signal).then(
            (found) => {
              words = found;
            },
            (error: unknown) => {
              wordsFailure = error;
            },
          );
    if (engine === 'generative') yield { type: 'timings', available: false, reason: 'Polly has no speech marks for the generative engine' };
    let wordsSent = false;
    const flushWords = function* (): Generator<SynthesisEvent> {
      if (wordsSent || words === undefined) return;
      wordsSent = true;
      for (const word of words) yield { type: 'word', word };
    };
    for await (const samples of this.audio(input, span, signal)) {
      yield { type: 'audio', samples };
      yield* flushWords();
    }
    if (marks !== undefined) await marks;
    if (wordsFailure !== undefined) throw await this.explain(wordsFailure, span, options);
    yield* flushWords();
  }

  /**
   * Polly's bidirectional mode (`StartSpeechSynthesisStream`, generative
   * engine): text in and audio out over one HTTP/2 connection. The stream
   * uses its own HTTP/2 client with this engine's region, endpoint and
   * credentials (or the client you passed, which must speak HTTP/2).
   */
  startStream(options: PollyDuplexOptions = {}): PollyDuplexStream {
    if ((this.options.outputFormat ?? 'pcm') !== 'pcm')
      throw new SluiceError('E_UNSUPPORTED', 'PollyEngine.startStream: only pcm output is supported on the bidirectional API here');
    this.duplexClient ??= this.options.client ?? this.createClient('http2');
    return new PollyDuplexStream(this.duplexClient, this.sampleRate, options.voice ?? this.options.voice ?? 'Joanna', options);
  }

  async close(): Promise<void> {
    if (this.options.client === undefined) {
      this.client.destroy();
      this.duplexClient?.destroy();
    }
  }

  private input(text: string, options: SynthesizeOptions): SynthesizeSpeechCommandInput {
    return {
      Text: text,
      TextType: options.textType ?? 'text',
      VoiceId: (options.voice ?? this.options.voice ?? 'Joanna') as VoiceId,
      Engine: (this.options.engine ?? 'neural') as Engine,
      OutputFormat: (this.options.outputFormat ?? 'pcm') as OutputFormat,
      SampleRate: String(this.sampleRate),
      ...((options.language ?? this.options.language) === undefined
        ? {}
        : { LanguageCode: (options.language ?? this.options.language) as never }),
      ...(this.options.lexiconNames === undefined ? {} : { LexiconNames: this.options.lexiconNames }),
    };
  }

  private async speechMarks(input: SynthesizeSpeechCommandInput, text: string, signal?: AbortSignal): Promise<WordMark[]> {
    const { SampleRate: _rate, ...rest } = input;
    return this.withRetry({ start: 0, end: text.length }, signal, async () => {
      const out = await this.client.send(new SynthesizeSpeechCommand({ ...rest, OutputFormat: 'json', SpeechMarkTypes: ['word'] }), {
        abortSignal: signal,
      });
      const body = out.AudioStream === undefined ? '' : await out.AudioStream.transformToString('utf8');
      return parseSpeechMarks(body, text);
    });
  }

  /** Audio samples as they arrive; retried and resumed past the bytes already delivered. */
  private async *audio(
    input: SynthesizeSpeechCommandInput,
    span: { start: number; end: number },
    signal?: AbortSignal,
  ): AsyncGenerator<Float32Array> {
    const retry = this.options.retry ?? {};
    const attempts = retry.attempts ?? 4;
    let delivered = 0;
    // One decoder across attempts: an odd byte of a cut stream continues with the resumed one.
    const pcm = new PcmPieces();
    for (let attempt = 0; ; attempt++) {
      try {
        const out = await this.client.send(new SynthesizeSpeechCommand(input), { abortSignal: signal });
        const body = out.AudioStream as AsyncIterable<Uint8Array> | undefined;
        if (body === undefined) throw new SluiceError('E_TTS_SERVICE', 'Polly returned no AudioStream');
        let received = 0;
        if ((this.options.outputFormat ?? 'pcm') === 'pcm') {
          for await (const piece of body) {
            const bytes = piece.subarray(Math.max(0, Math.min(piece.length, delivered - received)));
            received += piece.length;
            if (bytes.length === 0) continue;
            delivered += bytes.length;
            const samples = pcm.push(bytes);
            if (samples.length > 0) yield samples;
          }
        } else {
          // Compressed audio is decoded once, by ffmpeg, as it streams in; a retry starts it over.
          if (delivered > 0)
            throw new SluiceError('E_TTS_SERVICE', 'a compressed Polly stream broke after audio was delivered; it cannot be resumed');
          const source = await ByteStreamSource.open(body, { sampleRate: this.sampleRate, channels: 1 });
          for await (const chunk of source) {
            delivered += chunk.frames;
            yield chunk.planes[0] as Float32Array;
          }
        }
        return;
      } catch (error) {
        if (signal?.aborted) throw error;
        if (!isRetryable(error) || attempt + 1 >= attempts)
          throw await this.explain(error, span, { voice: input.VoiceId as string }, attempt + 1);
        await sleep(backoffMs(attempt, retry.baseMs ?? 200, retry.capMs ?? 5000), signal);
      }
    }
  }

  private async withRetry<T>(span: { start: number; end: number }, signal: AbortSignal | undefined, task: () => Promise<T>): Promise<T> {
    const retry = this.options.retry ?? {};
    const attempts = retry.attempts ?? 4;
    for (let attempt = 0; ; attempt++) {
      try {
        return await task();
      } catch (error) {
        if (signal?.aborted) throw error;
        if (!isRetryable(error) || attempt + 1 >= attempts) throw pollyError(error, span, attempt + 1);
        await sleep(backoffMs(attempt, retry.baseMs ?? 200, retry.capMs ?? 5000), signal);
      }
    }
  }

  /** The typed error for a failure; an unknown voice becomes E_TTS_VOICE with close matches. */
  private async explain(
    error: unknown,
    span: { start: number; end: number },
    options: SynthesizeOptions,
    attempts = 1,
  ): Promise<SluiceError> {
    if (SluiceError.isInstance(error) && error.code !== 'E_TTS_INVALID_TEXT') return error;
    const typed = SluiceError.isInstance(error) ? error : pollyError(error, span, attempts);
    const voice = options.voice ?? this.options.voice ?? 'Joanna';
    if (typed.code === 'E_TTS_INVALID_TEXT' && /voice/i.test(typed.message)) {
      const voices = await this.voices().catch(() => [] as TtsVoice[]);
      if (!voices.some((known) => known.id === voice)) return unknownVoice('PollyEngine', voice, voices);
    }
    return typed;
  }
}
