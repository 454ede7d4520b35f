import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { Pipeline, type Sink } from '@sluice/core';
import { TtsStream, type WordEvent } from '@sluice/tts';
import { SpeakerSink } from '@sluice/io-devices';
import { ByteStreamSink, FileSink, OUTPUT_FORMATS, type OutputFormat } from '@sluice/writers';
import { parseDevice } from './devices';
import { parsePositiveInteger } from '../format';
import { type Command, UsageError } from '../io';
import { ENGINE_OPTIONS, createEngine } from './tts-engines';

function parseRate(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!(Number.isFinite(value) && value > 0)) throw new UsageError(`--rate must be a positive number (1 = normal speed), got "${text}"`);
  return value;
}

/** `sluice tts TEXT|-`: streaming speech into a file (or stdout) as the audio arrives. */
export const ttsCommand: Command = {
  name: 'tts',
  summary: 'Speak text (or stdin, as it arrives) into an audio file, streaming; eSpeak offline or Amazon Polly',
  usage: `sluice tts TEXT|- [--engine espeak|polly] [--voice V] [--out FILE] [--format F] [--play [--device ID]]
                [--words FILE.json] [--rate N] [--sample-rate N]
Polly: [--region R] [--endpoint URL] [--polly-engine standard|neural|long-form|generative] [--http 1|2]

TEXT "-" reads standard input and speaks each sentence as soon as it is complete.
--rate is a multiplier (1 = the voice's normal speed). --play speaks through the speaker while synthesis
continues (with --out too, the file is written at the same time). Without --out or --play, WAV goes to
standard output.
Polly takes credentials from the AWS SDK's chain (AWS_ACCESS_KEY_ID…, AWS_PROFILE) and honours
AWS_ENDPOINT_URL_POLLY / AWS_ENDPOINT_URL.`,
  async run(args, io, signal) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        ...ENGINE_OPTIONS,
        voice: { type: 'string' },
        out: { type: 'string', short: 'o' },
        format: { type: 'string' },
        words: { type: 'string' },
        rate: { type: 'string' },
        'sample-rate': { type: 'string' },
        play: { type: 'boolean' },
        device: { type: 'string' },
      },
    });
    const [text] = positionals;
    if (text === undefined) throw new UsageError('give the text to speak, or - to read standard input');
    const format = values.format as OutputFormat | undefined;
    if (format !== undefined && !(OUTPUT_FORMATS as readonly string[]).includes(format))
      throw new UsageError(`--format must be one of ${OUTPUT_FORMATS.join(', ')}`);
    if (values.out === undefined && !values.play && process.stdout.isTTY)
      throw new UsageError('give --out FILE or --play (audio is not written to a terminal)');
    const rate = parseRate(values.rate);
    const sampleRate = parsePositiveInteger(values['sample-rate'], 'sample-rate');
    const engine = await createEngine(values);
    try {
      const stream = new TtsStream({
        engine,
        signal,
        ...(values.voice === undefined ? {} : { voice: values.voice }),
        ...(rate === undefined ? {} : { rate }),
        ...(sampleRate === undefined ? {} : { sampleRate }),
      });
      const words: WordEvent[] = [];
      stream.on('word', (word) => words.push(word));
      stream.on('error', () => undefined);
      const sinks: Sink[] = [];
      if (values.play) {
        const device = parseDevice(values.device);
        sinks.push(new SpeakerSink(device === undefined ? {} : { deviceId: device }));
      }
      if (values.out !== undefined) sinks.push(new FileSink(values.out, format === undefined ? {} : { format }));
      else if (!values.play) sinks.push(new ByteStreamSink(process.stdout, { format: format ?? 'wav' }));
      // Both sinks take the same chunks: the speaker plays while synthesis continues and the file fills.
      const pipeline = new Pipeline({ source: stream, sinks, signal }).wait();
      if (text === '-') {
        process.stdin.setEncoding('utf8');
        for await (const piece of process.stdin) stream.feed(piece as string);
      } else {
        stream.feed(text);
      }
      stream.done();
      const stats = await pipeline;
      const speech = await stream.waitUntilDone();
      if (values.words !== undefined) await writeFile(values.words, `${JSON.stringify(words, null, 2)}\n`);
      io.err(
        `${speech.audioSeconds.toFixed(2)} s of speech from ${speech.characters} characters in ${(stats.processingSeconds).toFixed(2)} s; first audio after ${speech.firstAudioMs.toFixed(0)} ms${speech.wordTimings ? '' : ` (no word timings: ${speech.timingsNote})`}`,
      );
      if (values.out !== undefined) io.out(values.out);
      return 0;
    } finally {
      await engine.close?.();
    }
  },
};

/** `sluice voices`: the voices an engine offers. */
export const voicesCommand: Command = {
  name: 'voices',
  summary: 'List the voices of a text-to-speech engine',
  usage: `sluice voices [--engine espeak|polly] [--language CODE] [--json]
Polly: [--region R] [--endpoint URL]`,
  async run(args, io) {
    const { values } = parseArgs({ args, options: { ...ENGINE_OPTIONS, language: { type: 'string' }, json: { type: 'boolean' } } });
    const engine = await createEngine(values);
    try {
      const language = values.language?.toLowerCase();
      const voices = (await engine.voices()).filter(
        (voice) =>
          language === undefined || [voice.language, ...(voice.languages ?? [])].some((code) => code.toLowerCase().startsWith(language)),
      );
      if (values.json) io.out(JSON.stringify(voices));
      else for (const voice of voices) io.out(`${voice.id.padEnd(24)} ${voice.language.padEnd(10)} ${voice.name}`);
      return 0;
    } finally {
      await engine.close?.();
    }
  },
};
