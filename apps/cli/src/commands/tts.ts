import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { Pipeline, type Sink } from '@sluice/core';
import { type CaptionFormat, TtsStream, type WordEvent, captions } from '@sluice/tts';
import { SpeakerSink } from '@sluice/io-devices';
import { ByteStreamSink, FileSink } from '@sluice/writers';
import { type Command, UsageError } from '../io';
import {
  FILE_OUTPUT_HELP,
  FILE_OUTPUT_OPTIONS,
  fileOutputOptions,
  containerOf,
  parseNumber,
  parseContainer,
  parsePositiveInteger,
} from '../options';
import { parseDevice } from './devices';
import { ENGINE_OPTIONS, createEngine, engineVoice } from './tts-engines';

/** `--captions FILE`: WebVTT or SRT by the file's extension. */
function captionFormatOf(path: string): CaptionFormat {
  const extension = /\.(vtt|srt)$/i.exec(path)?.[1]?.toLowerCase();
  if (extension !== 'vtt' && extension !== 'srt') throw new UsageError(`--captions writes .vtt (WebVTT) or .srt (SubRip), got "${path}"`);
  return extension;
}

/** Feeds standard input as it arrives; resolves with whether any of it was more than blanks. */
async function feedStdin(stream: TtsStream, onText: (piece: string) => void): Promise<boolean> {
  let spoken = false;
  process.stdin.setEncoding('utf8');
  for await (const piece of process.stdin) {
    spoken ||= (piece as string).trim().length > 0;
    onText(piece as string);
    stream.feed(piece as string);
  }
  return spoken;
}

/** `sluice tts TEXT|-`: streaming speech into a file (or stdout) as the audio arrives. */
export const ttsCommand: Command = {
  name: 'tts',
  usage: `sluice tts TEXT|- [--engine espeak|polly] [--voice V] [--out FILE] [--format F] [--play [--device ID]]
                [--words FILE.json] [--captions FILE.vtt|FILE.srt] [--rate N] [--sample-rate N] [--sample-format s16|s24|f32] [--keep-partial]
Polly: [--region R] [--endpoint URL] [--polly-engine standard|neural|long-form|generative] [--http 1|2]

TEXT "-" reads standard input and speaks each sentence as soon as it is complete.
--voice takes the engine's voice ids (sluice voices) and, for eSpeak, OpenAI's names (alloy, nova, …).
--rate is a multiplier (1 = the voice's normal speed, 0.25 to 4). --play speaks through the speaker while synthesis
continues (with --out too, the file is written at the same time). Without --out or --play, WAV goes to
standard output.
Polly takes credentials from the AWS SDK's chain (AWS_ACCESS_KEY_ID…, AWS_PROFILE) and honours
AWS_ENDPOINT_URL_POLLY / AWS_ENDPOINT_URL.
${FILE_OUTPUT_HELP}`,
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
        captions: { type: 'string' },
        rate: { type: 'string' },
        'sample-rate': { type: 'string' },
        play: { type: 'boolean' },
        device: { type: 'string' },
        ...FILE_OUTPUT_OPTIONS,
      },
    });
    const [text] = positionals;
    if (text === undefined) throw new UsageError('give the text to speak, or - to read standard input');
    if (text !== '-' && text.trim().length === 0) throw new UsageError('the text is empty: give some words to speak');
    const format = values.out === undefined ? (parseContainer(values.format) ?? 'wav') : containerOf(values.out, values.format);
    const file = fileOutputOptions(values, format);
    if (values.out === undefined && !values.play && process.stdout.isTTY)
      throw new UsageError('give --out FILE or --play (audio is not written to a terminal)');
    const rate = parseNumber(values.rate, 'rate', { min: 0.25, max: 4 });
    const captionFormat = values.captions === undefined ? undefined : captionFormatOf(values.captions);
    const sampleRate = parsePositiveInteger(values['sample-rate'], 'sample-rate');
    // Stopped by the user (signal) or here, when standard input turns out to hold nothing to say.
    const stop = new AbortController();
    if (signal.aborted) stop.abort(signal.reason);
    else signal.addEventListener('abort', () => stop.abort(signal.reason), { once: true });
    const stopped = stop.signal;
    const engine = await createEngine(values);
    try {
      const voice = values.voice === undefined ? undefined : engineVoice(engine, values.voice);
      const stream = new TtsStream({
        engine,
        signal: stopped,
        ...(voice === undefined ? {} : { voice }),
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
      if (values.out !== undefined) sinks.push(new FileSink(values.out, { container: format, ...file }));
      else if (!values.play)
        sinks.push(
          new ByteStreamSink(process.stdout, { container: format, ...(file.sampleFormat ? { sampleFormat: file.sampleFormat } : {}) }),
        );
      // Both sinks take the same chunks: the speaker plays while synthesis continues and the file fills.
      const pipeline = new Pipeline({ source: stream, sinks, signal: stopped }).wait();
      pipeline.catch(() => undefined);
      let spokenText = text;
      if (text === '-') {
        spokenText = '';
        if (
          !(await feedStdin(stream, (piece) => {
            spokenText += piece;
          }))
        ) {
          // Nothing to say: stop before anything is written (an output file is removed, not left empty).
          stop.abort();
          await pipeline.catch(() => undefined);
          throw new UsageError('standard input held no text to speak');
        }
      } else {
        stream.feed(text);
      }
      stream.done();
      const stats = await pipeline;
      const speech = await stream.waitUntilDone();
      if (values.words !== undefined) await writeFile(values.words, `${JSON.stringify(words, null, 2)}\n`);
      if (captionFormat !== undefined && values.captions !== undefined)
        await writeFile(values.captions, captions(words, captionFormat, { text: spokenText }));
      io.err(
        `${speech.audioSeconds.toFixed(2)} s of speech from ${speech.characters} characters in ${(stats.processingSeconds).toFixed(2)} s; first audio after ${(speech.firstAudioSeconds * 1000).toFixed(0)} ms${speech.wordTimings ? '' : ` (no word timings: ${speech.timingsNote})`}`,
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
