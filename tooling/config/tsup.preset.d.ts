import type { Options } from 'tsup';
/** The build every Sluice library shares (ESM + CJS + .d.ts/.d.cts, Node 20). */
export declare function libraryBuild(overrides?: Options): Options;
