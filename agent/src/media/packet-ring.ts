/**
 * The send side's packet buffers: a few slots reused round-robin (node:dgram may still read a buffer
 * after send() returns; `size` packets later it has not, at 20 ms per packet), each large enough for
 * the RTP header plus the largest payload. A packet of variable size (Opus VBR frames) goes out as a
 * view of its slot's first bytes: views are made once per slot and length and then reused, so
 * sending allocates nothing once every length has been seen (an Opus loop has a few dozen).
 */
export class PacketRing {
  private slots: Buffer[];
  private views: Array<Array<Buffer | undefined>>;
  private index = -1;

  constructor(
    readonly size: number,
    capacity: number,
  ) {
    this.slots = Array.from({ length: size }, () => Buffer.alloc(capacity));
    this.views = this.slots.map(() => []);
  }

  /** Bytes a packet may have. */
  get capacity(): number {
    return this.slots[0]!.length;
  }

  /** Make room for packets of `capacity` bytes (reallocates only to grow; not for the send path). */
  reserve(capacity: number): void {
    if (capacity <= this.capacity) return;
    this.slots = Array.from({ length: this.size }, () => Buffer.alloc(capacity));
    this.views = this.slots.map(() => []);
  }

  /** The next slot, whole, to write a packet into. */
  next(): Buffer {
    this.index = (this.index + 1) % this.size;
    return this.slots[this.index]!;
  }

  /** The packet written into the slot `next()` returned last: its first `length` bytes. */
  packet(length: number): Buffer {
    const slot = this.slots[this.index]!;
    if (length >= slot.length) return slot;
    const views = this.views[this.index]!;
    let v = views[length];
    if (!v) {
      v = slot.subarray(0, length);
      views[length] = v;
    }
    return v;
  }
}
