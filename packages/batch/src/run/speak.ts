import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type WordEvent, captions, speakStreamed } from '@sluice/tts';
import { EspeakEngine, espeakVoiceFor } from '@sluice/tts-espeak';
import { FileSink } from '@sluice/writers';
import type { SpeakJob } from '../jobs/kinds';
import { containerOf, stemOfName } from '../jobs/outputs';
import { baseNameOf, joinStorageUrl, parentOf } from '../storage/storage-url';
import { type RunContext, type RunOutput, localPath } from './context';

/** A speech job: eSpeak-NG (offline, in its own worker thread) into an audio file, with word timings and captions. */
export async function runSpeak(job: SpeakJob, context: RunContext): Promise<RunOutput> {
  const text = job.text ?? (await readFile(localPath(context, job.input as string), 'utf8'));
  const name = baseNameOf(job.out);
  const folder = parentOf(job.out);
  const engine = new EspeakEngine(job.sampleRate === undefined ? {} : { sampleRate: job.sampleRate });
  try {
    const words: WordEvent[] = [];
    const result = await speakStreamed(text, {
      engine,
      sink: new FileSink(join(context.stagePath, name), { container: containerOf(job) }),
      signal: context.signal,
      onWord: (word) => {
        words.push(word);
        context.onProgress(Math.min(1, word.end / Math.max(1, text.length)));
      },
      ...(job.voice === undefined ? {} : { voice: espeakVoiceFor(job.voice) }),
      ...(job.rate === undefined ? {} : { rate: job.rate }),
    });
    const files = [{ name, url: job.out }];
    const wordsName = `${stemOfName(name)}.words.json`;
    await writeFile(join(context.stagePath, wordsName), `${JSON.stringify(words, null, 2)}\n`);
    files.push({ name: wordsName, url: joinStorageUrl(folder, wordsName) });
    if (job.captions !== undefined) {
      const captionsName = `${stemOfName(name)}.${job.captions}`;
      await writeFile(join(context.stagePath, captionsName), captions(words, job.captions, { text }));
      files.push({ name: captionsName, url: joinStorageUrl(folder, captionsName) });
    }
    return { files, audioSeconds: result.speech.audioSeconds };
  } finally {
    await engine.close();
  }
}
