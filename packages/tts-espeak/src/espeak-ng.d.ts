declare module '@echogarden/espeak-ng-emscripten' {
  /** Instantiates the Emscripten module (WebAssembly and the 24 MB voice data). */
  const createModule: () => Promise<unknown>;
  export default createModule;
}
