/**
 * The subset of `Bun.udpSocket` the agent uses (bun-types is not a dependency of this package), and
 * the one rule for choosing it: under Bun unless `RINGFLEET_UDP=dgram` asks for node:dgram. Shared
 * by the SIP transport (sip/transport/udp.ts) and the media sockets (media/udp.ts).
 */
export interface BunUdpSocket {
  readonly port: number;
  /** Synchronous: false when the datagram could not be queued; throws on an immediate failure. */
  send(data: string | Uint8Array, port: number, address: string): boolean;
  close(): void;
}

export interface BunUdpApi {
  udpSocket(opts: {
    hostname: string;
    port: number;
    binaryType: "buffer";
    socket: {
      data(s: BunUdpSocket, buf: Buffer, port: number, address: string): void;
      error?(s: BunUdpSocket, err: Error): void;
    };
  }): Promise<BunUdpSocket>;
}

/** Bun's UDP API when running under Bun, else undefined. */
export const bunUdp = (): BunUdpApi | undefined => (globalThis as { Bun?: BunUdpApi }).Bun;

/** Whether to use Bun.udpSocket: available, and not overridden by RINGFLEET_UDP=dgram. */
export function preferBunUdp(): boolean {
  return typeof bunUdp()?.udpSocket === "function" && process.env.RINGFLEET_UDP !== "dgram";
}
