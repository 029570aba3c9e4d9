/**
 * `bun bench/media/opus-cost.ts`: what Opus costs the media engine, in CPU per thread.
 *  - start-up: the 4 s send loop (speech-like signal at 16 kHz + libopus encode, source.ts), once
 *    per thread on its first Opus session; and the wasm instantiation before it;
 *  - per received packet: the level path of RtpSession (OpusDecoder at 16 kHz + AudioLevelMeter)
 *    for our own loop's packets (SILK wideband, what a wideband phone sends) and for full-band packets
 *    (the same signal encoded from 48 kHz: hybrid mode, what WebRTC/baresip send), against G.711's
 *    table lookup for scale.
 * Bun only (it runs the agent, and its file loader brings the wasm, see opus.ts). Env:
 * OPUS_COST_PACKETS (20000 decodes per case).
 *
 * 2026-11-23, this 2-core box, bun 1.4.5: wasm instantiation 21 ms; send loop 275 ms once (21.7 kbit/s);
 * per received packet 25 µs (SILK wideband) and 38 µs (full-band hybrid) against 0.35 µs for G.711.
 */
import { AudioLevelMeter } from "../../agent/src/media/audio-level.js";
import { encodeG711 } from "../../agent/src/media/g711.js";
import { encodeOpusFrames, OpusDecoder, type OpusFrames } from "../../agent/src/media/opus.js";
import { generateSpeechLike, payloadLoop } from "../../agent/src/media/source.js";

const N = Number(process.env.OPUS_COST_PACKETS ?? 20000);
const ms = (t0: number) => performance.now() - t0;

let t0 = performance.now();
new OpusDecoder(16000).close(); // instantiates the wasm module
const instantiateMs = ms(t0);
t0 = performance.now();
const loop = payloadLoop("OPUS");
const loopMs = ms(t0);

function decodeCost(f: OpusFrames): number {
  const dec = new OpusDecoder(16000);
  const meter = new AudioLevelMeter();
  for (let i = 0; i < 400; i++) dec.decode(f.data, f.offsets[i % f.frames]!, f.offsets[(i % f.frames) + 1]! - f.offsets[i % f.frames]!); // warm-up
  const start = performance.now();
  for (let i = 0; i < N; i++) {
    const k = i % f.frames;
    const n = dec.decode(f.data, f.offsets[k]!, f.offsets[k + 1]! - f.offsets[k]!);
    if (n < 0) throw new Error("decode failed");
    meter.onPcm(dec.pcm, n);
  }
  const us = (ms(start) * 1000) / N;
  dec.close();
  return us;
}

const fullBand = encodeOpusFrames(generateSpeechLike(4, 48000), 48000, { bitrate: 24000 });
const ulaw = encodeG711("ulaw", generateSpeechLike(4));
const meter = new AudioLevelMeter();
t0 = performance.now();
for (let i = 0; i < N; i++) meter.onPayload("PCMU", ulaw, (i % 200) * 160, 160);
const g711Us = (ms(t0) * 1000) / N;

const rows = {
  runtime: `bun ${(globalThis as { Bun?: { version: string } }).Bun?.version ?? "?"}`,
  wasmInstantiateMs: +instantiateMs.toFixed(1),
  sendLoopMs: +loopMs.toFixed(1),
  sendLoopKbps: +((loop.data.length * 8) / 4000).toFixed(1),
  decodeUsPerPacketSilkWb: +decodeCost({ data: loop.data, offsets: loop.offsets, frames: loop.frames }).toFixed(1),
  decodeUsPerPacketFullBand: +decodeCost(fullBand).toFixed(1),
  g711LevelUsPerPacket: +g711Us.toFixed(2),
};
console.log(JSON.stringify(rows, null, 2));
