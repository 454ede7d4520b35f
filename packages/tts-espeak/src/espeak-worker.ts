/**
 * The eSpeak-NG worker: loads the WebAssembly build once and synthesizes
 * requests one at a time. Audio goes back as it is produced (eSpeak calls
 * back every few milliseconds of speech), with word events from eSpeak's own
 * callbacks. A shared flag lets the main thread cancel a synthesis that is
 * running (the worker is busy in WebAssembly and cannot read messages then).
 */
import { parentPort, workerData } from 'node:worker_threads';
import createModule from '@echogarden/espeak-ng-emscripten';
import { ResampleProcessor, createAudioChunk } from '@sluice/core';
import type { EspeakRequest, EspeakResponse, EspeakVoiceInfo } from './protocol';

interface EspeakEvent {
  type: string;
  text_position: number;
  word_length: number;
  audio_position: number;
}

interface EspeakWorker {
  set_voice(name: string): number;
  set_rate(wpm: number): void;
  set_pitch(pitch: number): void;
  get_samplerate(): number;
  list_voices(): EspeakVoiceInfo[];
  synthesize(text: string, callback: (samples: Int16Array, events: EspeakEvent[]) => boolean): void;
}

const port = parentPort;
if (port === null) throw new Error('espeak-worker must run in a worker thread');
const cancel = new Int32Array(workerData.cancel as SharedArrayBuffer);
const post = (message: EspeakResponse, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

let espeak: EspeakWorker;

function synthesize(request: Extract<EspeakRequest, { type: 'synthesize' }>): void {
  const { id } = request;
  if (espeak.set_voice(request.voice) !== 0) {
    post({ type: 'error', id, code: 'E_TTS_VOICE', message: `no voice "${request.voice}"` });
    return;
  }
  espeak.set_rate(request.rate);
  espeak.set_pitch(request.pitch);
  const resample = resamplerTo(request.sampleRate);
  const send = (samples: Float32Array | undefined) => {
    if (samples !== undefined && samples.length > 0) post({ type: 'audio', id, samples }, [samples.buffer as ArrayBuffer]);
  };
  espeak.synthesize(request.text, (data, events) => {
    for (const event of events) {
      if (event.type === 'word')
        post({ type: 'word', id, position: event.text_position, length: event.word_length, ms: event.audio_position });
    }
    if (data.length > 0) {
      const samples = new Float32Array(data.length);
      for (let i = 0; i < data.length; i++) samples[i] = (data[i] as number) / 32768;
      send(resample === undefined ? samples : resample.process(samples));
    }
    // Returning true stops eSpeak: the main thread asked to cancel this request.
    return Atomics.load(cancel, 0) === id;
  });
  send(resample?.flush());
  post({ type: 'end', id });
}

/**
 * A resampler from eSpeak's rate to `sampleRate` for one utterance, or
 * undefined when none is needed. It runs here, in the worker, so the main
 * thread (a server's event loop) never converts speech. An utterance starts
 * and ends in silence, so each is converted on its own.
 */
function resamplerTo(
  sampleRate: number,
): { process(samples: Float32Array): Float32Array | undefined; flush(): Float32Array | undefined } | undefined {
  const from = espeak.get_samplerate();
  if (sampleRate === from) return undefined;
  const input = { sampleRate: from, channels: 1 };
  // Speech-grade filter: flat to 0.8 × Nyquist (8.8 kHz at 22.05 kHz), 80 dB down. Half the taps of core's
  // default, which made converting cost as much as synthesizing.
  // Designed once per rate (the filter table is the costly part) and reset for each utterance.
  let processor = resamplers.get(sampleRate);
  if (processor === undefined) {
    processor = new ResampleProcessor({ targetRate: sampleRate, passbandEdge: 0.8, stopbandDb: 80 });
    processor.open(input);
    resamplers.set(sampleRate, processor);
  } else {
    processor.reset();
  }
  const resampler = processor;
  return {
    process: (samples) => resampler.process(createAudioChunk({ format: input, planes: [samples] }))?.planes[0],
    flush: () => resampler.flush()?.planes[0],
  };
}

const resamplers = new Map<number, ResampleProcessor>();

async function main(): Promise<void> {
  const started = performance.now();
  const module = (await createModule()) as { eSpeakNGWorker: new () => EspeakWorker };
  espeak = new module.eSpeakNGWorker();
  (port as NonNullable<typeof port>).on('message', onRequest);
  post({ type: 'ready', sampleRate: espeak.get_samplerate(), loadMs: performance.now() - started });
}

function onRequest(request: EspeakRequest): void {
  try {
    if (request.type === 'voices') post({ type: 'voices', id: request.id, voices: espeak.list_voices() });
    else synthesize(request);
  } catch (error) {
    post({ type: 'error', id: request.id, code: 'E_TTS_SERVICE', message: error instanceof Error ? error.message : String(error) });
  }
}

void main();
