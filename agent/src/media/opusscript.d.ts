/**
 * Types for the parts of opusscript 0.1.1 (libopus 1.4, emscripten) that opus.ts uses: its emscripten
 * module factory, not the OpusScript class (see opus.ts for why), and the wasm file it loads.
 */
declare module "opusscript/build/opusscript_native_wasm.js" {
  /** One libopus encoder + decoder pair (opusscript's C++ `OpusScriptHandler`, embind). */
  export interface OpusScriptHandler {
    /** opus_encode of `bytes` bytes of 16-bit PCM at `input` (one byte per 16-bit element); returns the packet length or < 0. */
    _encode(input: number, bytes: number, output: number, frameSize: number): number;
    /** opus_decode of `bytes` bytes at `input` into `output` (one byte per 16-bit element); samples per channel or < 0. */
    _decode(input: number, bytes: number, output: number): number;
    _encoder_ctl(ctl: number, arg: number): number;
    _decoder_ctl(ctl: number, arg: number): number;
  }
  export interface OpusNativeModule {
    /** Views of the wasm memory; replaced when the memory grows (read them per use). */
    HEAPU8: Uint8Array;
    HEAPU16: Uint16Array;
    _malloc(bytes: number): number;
    _free(ptr: number): void;
    OpusScriptHandler: {
      new (samplingRate: number, channels: number, application: number): OpusScriptHandler;
      destroy_handler(h: OpusScriptHandler): void;
    };
  }
  /** Instantiates synchronously when given `wasmBinary`. */
  const factory: (module?: { wasmBinary?: Uint8Array }) => OpusNativeModule;
  export default factory;
}

/** Bun's file loader (`import p from "x.wasm" with { type: "file" }`): the file's path. */
declare module "*.wasm" {
  const path: string;
  export default path;
}
