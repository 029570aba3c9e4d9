/**
 * The media engine's UDP sockets. Under Bun: `Bun.udpSocket` (a synchronous send of the packet
 * buffer, no per-packet callback or EventEmitter dispatch: the same backend the SIP transport
 * uses, sip/transport/udp.ts, where it halved the CPU per datagram). Elsewhere (Node, vitest),
 * or with RINGFLEET_UDP=dgram: node:dgram. Both report a failed send through `onError`, never by
 * throwing, and deliver datagrams with the sender as a reused `{ address, port }` (valid only
 * during the call: receivers copy what they keep).
 */
import { createSocket } from "node:dgram";
import { bunUdp, preferBunUdp } from "../net/bun-udp.js";

export interface MediaSocket {
  readonly port: number;
  /** Sends one datagram now (the buffer may be reused as soon as this returns). */
  send(buf: Uint8Array, port: number, address: string): void;
  /** Sends a last datagram (an RTCP BYE) and closes once it is handed to the kernel. */
  sendAndClose(buf: Uint8Array, port: number, address: string): void;
  close(): void;
}

export interface Sender {
  address: string;
  port: number;
}

export type OnDatagram = (buf: Buffer, from: Sender) => void;


export type MediaUdpBackend = "bun" | "dgram";

export function mediaUdpBackend(): MediaUdpBackend {
  return preferBunUdp() ? "bun" : "dgram";
}

/** Binds `address:port` (0 = ephemeral); rejects when the port is taken. */
export async function bindMediaUdp(address: string, port: number, onData: OnDatagram, onError: () => void, backend = mediaUdpBackend()): Promise<MediaSocket> {
  const from: Sender = { address: "", port: 0 };
  if (backend === "bun") {
    const s = await bunUdp()!.udpSocket({
      hostname: address,
      port,
      binaryType: "buffer",
      socket: {
        data(_s, buf, srcPort, srcAddress) {
          from.address = srcAddress;
          from.port = srcPort;
          onData(buf, from);
        },
        error: () => onError(),
      },
    });
    let closed = false;
    const sock: MediaSocket = {
      port: s.port,
      send(buf, destPort, destAddress) {
        if (closed) return;
        try {
          if (!s.send(buf, destPort, destAddress)) onError();
        } catch {
          onError();
        }
      },
      // Bun's send is synchronous: the datagram is with the kernel when it returns.
      sendAndClose(buf, destPort, destAddress) {
        sock.send(buf, destPort, destAddress);
        sock.close();
      },
      close() {
        if (closed) return;
        closed = true;
        closeQuietly(s);
      },
    };
    return sock;
  }
  const s = createSocket({ type: "udp4" });
  await new Promise<void>((resolve, reject) => {
    const fail = (err: Error): void => {
      closeQuietly(s);
      reject(err);
    };
    s.once("error", fail);
    s.bind(port, address, () => {
      s.off("error", fail);
      resolve();
    });
  });
  // No per-packet callback: without one dgram reports a failed send as an "error" event.
  s.on("error", onError);
  s.on("message", (buf, rinfo) => {
    from.address = rinfo.address;
    from.port = rinfo.port;
    onData(buf, from);
  });
  let closed = false;
  const sock: MediaSocket = {
    port: s.address().port,
    send(buf, destPort, destAddress) {
      if (!closed) s.send(buf, destPort, destAddress);
    },
    // dgram resolves the destination before sending, even an IP literal: close in the callback.
    sendAndClose(buf, destPort, destAddress) {
      if (closed) return;
      try {
        s.send(buf, destPort, destAddress, () => sock.close());
      } catch {
        sock.close();
      }
    },
    close() {
      if (closed) return;
      closed = true;
      closeQuietly(s);
    },
  };
  return sock;
}

/** Close a socket that may already be closed (or never opened): either way it is closed after. */
function closeQuietly(s: { close(): unknown }): void {
  try {
    s.close();
  } catch {
    // already closed or not open
  }
}
