import type { SampleFormat } from '@sluice/core';
import type { Container } from '@sluice/writers';

/** The four kinds of work a batch runs. Each has its own queue, so a worker can serve some kinds only. */
export type JobKind = 'separate' | 'transcode' | 'speak' | 'metrics';

/** Every job kind, in the order `sluice worker --kinds` lists them. */
export const JOB_KINDS: readonly JobKind[] = ['separate', 'transcode', 'speak', 'metrics'];

/**
 * Split a track into stems. `input` is a `file://` or `s3://` URL; the stems are
 * written as `<out>/<stem>.<extension>` (`out` is a folder URL).
 */
export interface SeparateJob {
  readonly kind: 'separate';
  /** The track to split. */
  readonly input: string;
  /** The folder the stems go to. */
  readonly out: string;
  /** `'dsp'` for the weightless separator, or a registry model name (`sluice models list`), or a `.onnx` file URL. */
  readonly model: string;
  /** The stems to write (default: every stem the model gives). */
  readonly stems?: readonly string[];
  /** Container of the stems (default `'wav'`). */
  readonly container?: Container;
  /** Samples of wav/flac/pcm stems (`'f32le'` makes the stems sum to the input). */
  readonly sampleFormat?: SampleFormat;
  /** Window length fed to the model, seconds (default: the model's own). */
  readonly segmentSeconds?: number;
}

/** Convert one file: container, bitrate, sample rate, channels. `out` is the output file's URL. */
export interface TranscodeJob {
  readonly kind: 'transcode';
  /** The file to convert. */
  readonly input: string;
  /** The file to write. */
  readonly out: string;
  /** Container of the output (default: from `out`'s extension). */
  readonly container?: Container;
  /** Bitrate of lossy outputs, kbit/s. */
  readonly bitrateKbps?: number;
  /** Output sample rate, Hz. */
  readonly sampleRate?: number;
  /** Output channel count. */
  readonly channels?: number;
  /** Samples of wav/flac/pcm outputs. */
  readonly sampleFormat?: SampleFormat;
}

/** Caption files a speech job can write beside its audio. */
export type CaptionKind = 'vtt' | 'srt';

/**
 * Speak a text (given inline, or a UTF-8 text file by URL) into an audio file,
 * with the word timings (`<out>.words.json`) and, when asked, captions
 * (`<out without extension>.vtt` or `.srt`).
 */
export interface SpeakJob {
  readonly kind: 'speak';
  /** The text itself (give `text` or `input`, not both). */
  readonly text?: string;
  /** A text file's URL (give `text` or `input`, not both). */
  readonly input?: string;
  /** The audio file to write. */
  readonly out: string;
  /** An eSpeak voice id, or one of OpenAI's voice names (alloy, nova, …). */
  readonly voice?: string;
  /** Speaking rate: a multiplier, 0.25 to 4 (1 = the voice's normal rate). */
  readonly rate?: number;
  /** Container of the audio (default: from `out`'s extension). */
  readonly container?: Container;
  /** Output sample rate, Hz (default: the engine's). */
  readonly sampleRate?: number;
  /** Captions to write beside the audio. */
  readonly captions?: CaptionKind;
}

/**
 * Score estimated stems against references (SI-SDR, SDR, SNR, correlation, and
 * BSS-Eval v4 when `bss` is set); the report is written as JSON to `out`.
 */
export interface MetricsJob {
  readonly kind: 'metrics';
  /** Stem name → URL of the estimate. */
  readonly estimates: Readonly<Record<string, string>>;
  /** Stem name → URL of the reference (the same names as `estimates`). */
  readonly references: Readonly<Record<string, string>>;
  /** The JSON report's URL. */
  readonly out: string;
  /** Also compute BSS-Eval v4 (museval's framewise SDR, ISR, SIR, SAR). */
  readonly bss?: boolean;
}

/** One unit of work in a batch. */
export type BatchJob = SeparateJob | TranscodeJob | SpeakJob | MetricsJob;

/** What a finished job reports (also what its manifest beside the outputs holds). */
export interface JobResult {
  /** The job's id (a hash of its input and parameters). */
  readonly jobId: string;
  /** Every file written, as URLs, the manifest last. */
  readonly outputs: readonly string[];
  /** Seconds of audio processed (the input's duration; for speech, the audio spoken). */
  readonly audioSeconds: number;
  /** Wall-clock seconds the work took. */
  readonly processingSeconds: number;
  /** True when the outputs were already there from an earlier run, and nothing was written. */
  readonly skipped: boolean;
}
