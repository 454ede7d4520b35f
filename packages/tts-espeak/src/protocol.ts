/** Messages to the eSpeak worker. */
export type EspeakRequest =
  | { type: 'voices'; id: number }
  | { type: 'synthesize'; id: number; text: string; voice: string; rate: number; pitch: number; sampleRate: number };

/** A voice as eSpeak lists it. */
export interface EspeakVoiceInfo {
  name: string;
  identifier: string;
  languages: { priority: number; name: string }[];
}

/** Messages from the eSpeak worker. */
export type EspeakResponse =
  | { type: 'ready'; sampleRate: number; loadMs: number }
  | { type: 'voices'; id: number; voices: EspeakVoiceInfo[] }
  | { type: 'audio'; id: number; samples: Float32Array }
  | { type: 'word'; id: number; position: number; length: number; ms: number }
  | { type: 'end'; id: number }
  | { type: 'error'; id: number; code: string; message: string };
