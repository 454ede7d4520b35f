/**
 * A Polly-compatible server for tests and benchmarks, on 127.0.0.1, speaking
 * HTTP/1.1 and HTTP/2 (cleartext) on two ports with the same behaviour:
 * `POST /v1/speech` (SynthesizeSpeech: PCM whose length follows the text, or
 * speech marks) and `GET /v1/voices` (DescribeVoices), with fault modes.
 */
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import { type Http2ServerRequest, type Http2ServerResponse, constants, createServer as createH2Server } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { EventStreamCodec, type Message } from '@smithy/core/event-streams';
import { resolveFfmpeg } from '@sluice/writers';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';

const codec = new EventStreamCodec(toUtf8, fromUtf8);

/** Splits an AWS event stream (4-byte big-endian total length first) into whole messages. */
async function* messages(body: AsyncIterable<Buffer>): AsyncGenerator<Message> {
  let pending = Buffer.alloc(0);
  for await (const piece of body) {
    pending = Buffer.concat([pending, piece]);
    while (pending.length >= 4 && pending.length >= pending.readUInt32BE(0)) {
      const length = pending.readUInt32BE(0);
      yield codec.decode(pending.subarray(0, length));
      pending = pending.subarray(length);
    }
  }
}

/** Compresses PCM as Polly would send mp3, ogg_vorbis or ogg_opus, with the ffmpeg Sluice finds. */
async function encode(pcm: Buffer, rate: number, format: string): Promise<Buffer> {
  const ffmpeg = await resolveFfmpeg();
  const codec =
    format === 'mp3'
      ? ['-c:a', 'libmp3lame', '-f', 'mp3']
      : format === 'ogg_opus'
        ? ['-c:a', 'libopus', '-f', 'ogg']
        : ['-c:a', 'libvorbis', '-f', 'ogg'];
  const run = promisify(execFile)(
    ffmpeg.path,
    ['-v', 'error', '-f', 's16le', '-ar', String(rate), '-ac', '1', '-i', 'pipe:0', ...codec, 'pipe:1'],
    {
      encoding: 'buffer',
      maxBuffer: 1 << 26,
    },
  );
  run.child.stdin?.end(pcm);
  return (await run).stdout;
}

function header(message: Message, name: string): string | undefined {
  const value = message.headers[name];
  return value === undefined ? undefined : String(value.value);
}

function event(type: string, contentType: string, body: Uint8Array): Uint8Array {
  return codec.encode({
    headers: {
      ':message-type': { type: 'string', value: 'event' },
      ':event-type': { type: 'string', value: type },
      ':content-type': { type: 'string', value: contentType },
    },
    body,
  });
}

/** What can go wrong with the next request. */
export type Fault = 'throttle' | 'http500' | 'slow-first-byte' | 'reset' | 'cut-short' | 'invalid-ssml';

export interface PollyServerOptions {
  /** Milliseconds of speech per character of billed text (default 50). */
  msPerChar?: number;
  /** Delay before the first byte of every speech reply, in ms (default 0). */
  delayMs?: number;
  /** Pieces the PCM body is written in, with a pause between them (default 4 pieces, 5 ms). */
  pieces?: number;
  pieceGapMs?: number;
  /** When set, pieces are paced to stream the audio at this many × real time (a synthesizer's speed) instead of `pieceGapMs`. */
  speed?: number;
}

export interface SpeechRequestLog {
  text: string;
  textType: string;
  voice: string;
  engine: string;
  format: string;
  sampleRate: number;
  marks: string[];
  fault?: Fault;
}

const VOICES = [
  {
    Id: 'Joanna',
    Name: 'Joanna',
    Gender: 'Female',
    LanguageCode: 'en-US',
    LanguageName: 'US English',
    SupportedEngines: ['standard', 'neural', 'generative', 'long-form'],
  },
  {
    Id: 'Matthew',
    Name: 'Matthew',
    Gender: 'Male',
    LanguageCode: 'en-US',
    LanguageName: 'US English',
    SupportedEngines: ['standard', 'neural', 'generative'],
  },
  {
    Id: 'Amy',
    Name: 'Amy',
    Gender: 'Female',
    LanguageCode: 'en-GB',
    LanguageName: 'British English',
    SupportedEngines: ['standard', 'neural'],
  },
  { Id: 'Hans', Name: 'Hans', Gender: 'Male', LanguageCode: 'de-DE', LanguageName: 'German', SupportedEngines: ['standard'] },
];

/** Words of the text outside SSML tags: [value, UTF-8 byte start, byte end, character index]. */
function words(text: string): { value: string; start: number; end: number; index: number }[] {
  const out: { value: string; start: number; end: number; index: number }[] = [];
  const plain = text.replace(/<[^>]*>/g, (tag) => ' '.repeat(tag.length));
  for (const match of plain.matchAll(/[^\s]+/g)) {
    const index = match.index as number;
    const start = Buffer.byteLength(text.slice(0, index));
    out.push({ value: match[0], start, end: start + Buffer.byteLength(match[0]), index });
  }
  return out;
}

/** Billed characters: the text without tags. */
function billed(text: string): number {
  return text.replace(/<[^>]*>/g, '').length;
}

type Request = IncomingMessage | Http2ServerRequest;
type Response = ServerResponse | Http2ServerResponse;

/** Credentials for the AWS SDK: this server does not check signatures, but the SDK signs with something. */
export const TEST_CREDENTIALS = { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' };

export class PollyServer {
  readonly requests: SpeechRequestLog[] = [];
  /** Faults for the next audio requests, in order. */
  readonly faults: Fault[] = [];
  /** Faults for the next speech-marks requests. */
  readonly markFaults: Fault[] = [];
  http1Url = '';
  http2Url = '';
  private readonly http1 = createServer((req, res) => this.serve(req, res));
  private readonly http2 = createH2Server((req, res) => this.serve(req, res));

  constructor(readonly options: PollyServerOptions = {}) {}

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.http1.listen(0, '127.0.0.1', resolve));
    await new Promise<void>((resolve) => this.http2.listen(0, '127.0.0.1', resolve));
    this.http1Url = `http://127.0.0.1:${(this.http1.address() as AddressInfo).port}`;
    this.http2Url = `http://127.0.0.1:${(this.http2.address() as AddressInfo).port}`;
    return this;
  }

  /** Environment variables that send an unconfigured AWS SDK (a program, a README example) to this server. */
  clientEnvironment(): Record<string, string> {
    return {
      AWS_ENDPOINT_URL_POLLY: this.http1Url,
      AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
      AWS_REGION: 'us-east-1',
    };
  }

  async stop(): Promise<void> {
    this.http1.closeAllConnections();
    await Promise.all([new Promise((resolve) => this.http1.close(resolve)), new Promise((resolve) => this.http2.close(resolve))]);
  }

  /** Seconds of audio the server produces for a text. */
  seconds(text: string): number {
    return (billed(text) * (this.options.msPerChar ?? 50)) / 1000;
  }

  /** Texts received on bidirectional streams, one list per connection. */
  readonly duplexTexts: string[][] = [];

  /** A client that goes away mid-request (a cancelled stream) ends its handler there: nobody is left to answer. */
  private serve(req: Request, res: Response): void {
    this.handle(req, res).catch(() => {
      if (!res.writableEnded) this.reset(res);
    });
  }

  private async handle(req: Request, res: Response): Promise<void> {
    if (req.method === 'POST' && req.url?.startsWith('/v1/synthesisStream')) return this.duplex(req, res);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (req.method === 'GET' && req.url?.startsWith('/v1/voices')) {
      this.json(res, 200, { Voices: VOICES });
      return;
    }
    if (req.method !== 'POST' || !req.url?.startsWith('/v1/speech')) {
      this.error(res, 404, 'UnknownOperationException', `no route ${req.method} ${req.url}`);
      return;
    }
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
    const text = String(body.Text ?? '');
    const marks = (body.SpeechMarkTypes as string[] | undefined) ?? [];
    const format = String(body.OutputFormat ?? 'pcm');
    const fault = (format === 'json' ? this.markFaults : this.faults).shift();
    const log: SpeechRequestLog = {
      text,
      textType: String(body.TextType ?? 'text'),
      voice: String(body.VoiceId ?? ''),
      engine: String(body.Engine ?? 'standard'),
      format,
      sampleRate: Number(body.SampleRate ?? 16000),
      marks,
      ...(fault === undefined ? {} : { fault }),
    };
    this.requests.push(log);
    if (fault === 'throttle') return this.error(res, 400, 'ThrottlingException', 'Rate exceeded');
    if (fault === 'http500') return this.error(res, 500, 'ServiceFailureException', 'Internal failure');
    if (fault === 'reset') return this.reset(res);
    if (!VOICES.some((voice) => voice.Id === log.voice)) {
      return this.error(
        res,
        400,
        'ValidationException',
        `1 validation error detected: Value '${log.voice}' at 'voiceId' failed to satisfy constraint`,
      );
    }
    if (text.length === 0) return this.error(res, 400, 'ValidationException', 'Text must not be empty');
    if (billed(text) > 3000)
      return this.error(res, 400, 'TextLengthExceededException', `Maximum text length has been exceeded (${billed(text)} > 3000)`);
    if (fault === 'invalid-ssml' || (log.textType === 'ssml' && !/^<speak>[\s\S]*<\/speak>$/.test(text))) {
      return this.error(res, 400, 'InvalidSsmlException', 'Invalid SSML request');
    }
    const delay = (this.options.delayMs ?? 0) + (fault === 'slow-first-byte' ? 400 : 0);
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    if (format === 'json') {
      if (log.engine === 'generative')
        return this.error(res, 400, 'MarksNotSupportedForFormatException', 'Speech marks are not supported for the generative engine');
      const ms = this.options.msPerChar ?? 50;
      const lines = words(text).map((word) =>
        JSON.stringify({ time: Math.round(word.index * ms), type: 'word', start: word.start, end: word.end, value: word.value }),
      );
      res.writeHead(200, { 'content-type': 'application/x-json-stream', 'x-amzn-requestcharacters': String(billed(text)) });
      res.end(`${lines.join('\n')}\n`);
      return;
    }
    const pcm = format === 'pcm' ? this.pcm(text, log.sampleRate) : await encode(this.pcm(text, log.sampleRate), log.sampleRate, format);
    const type = format === 'pcm' ? 'audio/pcm' : format === 'mp3' ? 'audio/mpeg' : 'audio/ogg';
    res.writeHead(200, { 'content-type': type, 'content-length': String(pcm.length), 'x-amzn-requestcharacters': String(billed(text)) });
    const pieces = this.options.pieces ?? 4;
    const size = Math.ceil(pcm.length / pieces / 2) * 2;
    for (let at = 0; at < pcm.length; at += size) {
      if (fault === 'cut-short' && at >= pcm.length / 2) return this.reset(res);
      (res as ServerResponse).write(pcm.subarray(at, Math.min(pcm.length, at + size)));
      const gap =
        this.options.speed === undefined ? (this.options.pieceGapMs ?? 5) : (size / 2 / log.sampleRate / this.options.speed) * 1000;
      await new Promise((resolve) => setTimeout(resolve, gap));
    }
    res.end();
  }

  /**
   * StartSpeechSynthesisStream: text events in, audio events out, on one
   * HTTP/2 stream. Signed event messages (the SDK's sigv4 envelope, with
   * `:chunk-signature`) are unwrapped; each TextEvent is answered with its
   * audio as soon as it arrives, and CloseStreamEvent with StreamClosedEvent.
   */
  private async duplex(req: Request, res: Response): Promise<void> {
    const voice = String(req.headers['x-amzn-voiceid'] ?? '');
    const rate = Number(req.headers['x-amzn-samplerate'] ?? 16000);
    if (!VOICES.some((known) => known.Id === voice)) {
      this.error(
        res,
        400,
        'ValidationException',
        `1 validation error detected: Value '${voice}' at 'voiceId' failed to satisfy constraint`,
      );
      return;
    }
    const texts: string[] = [];
    this.duplexTexts.push(texts);
    res.writeHead(200, { 'content-type': 'application/vnd.amazon.eventstream' });
    let characters = 0;
    for await (const outer of messages(req as AsyncIterable<Buffer>)) {
      const signed = outer.headers[':chunk-signature'] !== undefined;
      if (signed && outer.body.length === 0) break;
      const inner = signed ? codec.decode(outer.body) : outer;
      const type = header(inner, ':event-type');
      if (type === 'TextEvent') {
        const text = String((JSON.parse(toUtf8(inner.body) || '{}') as { Text?: string }).Text ?? '');
        texts.push(text);
        characters += billed(text);
        (res as ServerResponse).write(event('AudioEvent', 'application/octet-stream', this.pcm(text, rate)));
      } else if (type === 'CloseStreamEvent') {
        break;
      }
    }
    (res as ServerResponse).write(
      event('StreamClosedEvent', 'application/json', fromUtf8(JSON.stringify({ RequestCharacters: characters }))),
    );
    res.end();
  }

  /** A 220 Hz tone whose length follows the billed text; each sample's value is deterministic, so resumed streams can be checked. */
  private pcm(text: string, rate: number): Buffer {
    const frames = Math.round(this.seconds(text) * rate);
    const out = Buffer.alloc(frames * 2);
    for (let i = 0; i < frames; i++) out.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * 220 * i) / rate)), i * 2);
    return out;
  }

  private json(res: Response, status: number, value: unknown): void {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(value));
  }

  private error(res: Response, status: number, type: string, message: string): void {
    res.writeHead(status, { 'content-type': 'application/json', 'x-amzn-errortype': type });
    res.end(JSON.stringify({ message }));
  }

  private reset(res: Response): void {
    if ('stream' in res) res.stream.close(constants.NGHTTP2_INTERNAL_ERROR);
    else res.socket?.destroy();
  }
}
