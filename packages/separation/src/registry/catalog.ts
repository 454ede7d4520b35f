import type { MdxStftConfig } from '../stft/mdx-stft';

/** One file of a published model. */
export interface ModelFile {
  /** File name in the cache (and under `SLUICE_MODELS_URL`, for a mirror). */
  name: string;
  /** Where its authors publish it, tried in order. */
  urls: readonly string[];
  /** SHA-256 of the file, where a public one is known; otherwise recorded on first download (and said so). */
  sha256?: string;
  /**
   * UVR's model hash: the MD5 of the file's last 10,000 KiB (the key of the
   * model in UVR's model_data.json, which is where its parameters come
   * from), checked after download.
   */
  uvrHash?: string;
  /** Size in bytes, where known. */
  bytes?: number;
}

/** How a registry model is run. */
export type ModelLayout =
  | { kind: 'htdemucs'; contract: 'waveform' | 'split'; stems?: readonly string[] }
  | ({ kind: 'mdx'; compensate: number; primaryStem: string; secondaryStem?: string } & Partial<MdxStftConfig> & { nFft: number })
  | { kind: 'bag'; contract: 'waveform' | 'split'; weights: readonly (readonly number[])[] };

/** A model the registry knows by name. */
export interface RegistryModel {
  name: string;
  description: string;
  /** Licence of the weights, as their publishers state it. */
  licence: string;
  /** Where the layout and parameters were taken from. */
  source: string;
  layout: ModelLayout;
  /** One file, or one per member of a bag (in member order). */
  files: readonly ModelFile[];
}

const UVR_RELEASE = 'https://github.com/TRvlvr/model_repo/releases/download/all_public_uvr_models';
const UVR_SOURCE =
  "UVR's model_data.json (Anjok07/ultimatevocalremovergui, models/MDX_Net_Models/model_data/model_data.json), keyed by the file's UVR hash; files from UVR's public model release";

/**
 * The published exports Sluice knows by name. Weights are never bundled:
 * `sluice models pull NAME` fetches them into the cache. Only files whose
 * location and parameters could be traced to their publishers are listed;
 * a local file always works with `--model FILE`.
 */
export const MODEL_CATALOG: readonly RegistryModel[] = [
  {
    name: 'htdemucs',
    description: 'HTDemucs (demucs v4), 4 stems, waveform export: mix [1, 2, T] → stems [1, 4, 2, T]',
    licence: 'MIT (demucs weights, Meta)',
    source: 'StemSplit/demucs-onnx export of facebookresearch/demucs htdemucs, published on Hugging Face (StemSplitio/htdemucs-onnx)',
    layout: { kind: 'htdemucs', contract: 'waveform' },
    files: [{ name: 'htdemucs.onnx', urls: ['https://huggingface.co/StemSplitio/htdemucs-onnx/resolve/main/htdemucs.onnx'] }],
  },
  {
    name: 'htdemucs-fp16',
    description: 'HTDemucs with float16 weights (half the download, same interface)',
    licence: 'MIT (demucs weights, Meta)',
    source: 'StemSplitio/htdemucs-onnx on Hugging Face (htdemucs_fp16weights.onnx)',
    layout: { kind: 'htdemucs', contract: 'waveform' },
    files: [
      {
        name: 'htdemucs_fp16weights.onnx',
        urls: ['https://huggingface.co/StemSplitio/htdemucs-onnx/resolve/main/htdemucs_fp16weights.onnx'],
      },
    ],
  },
  {
    name: 'UVR-MDX-NET-Inst_HQ_3',
    description: 'MDX-Net, instrumental (and vocals as the remainder)',
    licence: 'as published by the UVR project (no licence file accompanies the weights)',
    source: UVR_SOURCE,
    layout: {
      kind: 'mdx',
      nFft: 6144,
      dimF: 3072,
      dimT: 256,
      hop: 1024,
      compensate: 1.022,
      primaryStem: 'instrumental',
      secondaryStem: 'vocals',
    },
    files: [
      {
        name: 'UVR-MDX-NET-Inst_HQ_3.onnx',
        urls: [`${UVR_RELEASE}/UVR-MDX-NET-Inst_HQ_3.onnx`],
        uvrHash: '55657dd70583b0fedfba5f67df11d711',
      },
    ],
  },
  {
    name: 'Kim_Vocal_2',
    description: 'MDX-Net, vocals (and instrumental as the remainder)',
    licence: 'as published by the UVR project (no licence file accompanies the weights)',
    source: UVR_SOURCE,
    layout: {
      kind: 'mdx',
      nFft: 7680,
      dimF: 3072,
      dimT: 256,
      hop: 1024,
      compensate: 1.009,
      primaryStem: 'vocals',
      secondaryStem: 'instrumental',
    },
    files: [
      {
        name: 'Kim_Vocal_2.onnx',
        urls: [`${UVR_RELEASE}/Kim_Vocal_2.onnx`],
        uvrHash: '970b3f9492014d18fefeedfe4773cb42',
        bytes: 66_759_214,
      },
    ],
  },
  {
    name: 'UVR_MDXNET_KARA_2',
    description: 'MDX-Net karaoke: instrumental with backing vocals (and lead vocals as the remainder)',
    licence: 'as published by the UVR project (no licence file accompanies the weights)',
    source: UVR_SOURCE,
    layout: {
      kind: 'mdx',
      nFft: 5120,
      dimF: 2048,
      dimT: 256,
      hop: 1024,
      compensate: 1.065,
      primaryStem: 'instrumental',
      secondaryStem: 'vocals',
    },
    files: [
      { name: 'UVR_MDXNET_KARA_2.onnx', urls: [`${UVR_RELEASE}/UVR_MDXNET_KARA_2.onnx`], uvrHash: '1d64a6d2c30f709b8c9b4ce1366d96ee' },
    ],
  },
];
