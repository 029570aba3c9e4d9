import { describe, expect, it } from "vitest";
import type { DetailMetricValues, SecondMetricValues } from "./rtp-session.js";
import { DETAIL_ROW_KEYS, readRow, ROW_WIDTH, SECOND_ROW_KEYS, writeRow } from "./sample-rows.js";

const second = Object.fromEntries(SECOND_ROW_KEYS.map((k, i) => [k, i + 0.5])) as SecondMetricValues;
const detail = Object.fromEntries(DETAIL_ROW_KEYS.map((k, i) => [k, -i - 0.25])) as DetailMetricValues;

describe("sample rows", () => {
  it("round-trips every key of both records, row by row", () => {
    const rows = new Float64Array(3 * ROW_WIDTH);
    writeRow(rows, 0, second, detail);
    writeRow(rows, 1, null, null);
    writeRow(rows, 2, { ...second, mos: 4.1 }, { ...detail, jb_late_packets: 7 });
    expect(readRow(rows, 0)).toEqual({ second, detail });
    expect(readRow(rows, 1)).toBeNull();
    const r2 = readRow(rows, 2)!;
    expect(r2.second.mos).toBe(4.1);
    expect(r2.detail.jb_late_packets).toBe(7);
    expect(Object.keys(r2.second)).toHaveLength(SECOND_ROW_KEYS.length);
    expect(Object.keys(r2.detail)).toHaveLength(DETAIL_ROW_KEYS.length);
  });

  it("a row past the end is no metrics, not garbage", () => {
    expect(readRow(new Float64Array(ROW_WIDTH), 1)).toBeNull();
  });
});
