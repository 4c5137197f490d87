import { describe, expect, it } from "vitest";
import fc from "fast-check";
import type { SyslogRecord } from "@aws-syslog/record";
import {
  archiveErrorKey,
  archiveObjectKey,
  partitionOf,
  partitionPath,
  stagingObjectId,
} from "./partition.js";

const base = { v: 1, timestamp: "2024-05-06T23:59:59.000-05:00", facility: 1, severity: 5 } as SyslogRecord;

describe("partitionOf", () => {
  it("takes dt and hour from received_at in UTC, not from the sender's timestamp", () => {
    const record = { ...base, received_at: "2024-05-07T04:59:59.999Z" };
    expect(partitionOf(record, "messages")).toEqual({ route: "messages", dt: "2024-05-07", hour: "04" });
  });

  it("agrees with Date's UTC calendar for any millisecond instant", () => {
    fc.assert(
      fc.property(fc.date({ min: new Date("1970-01-01T00:00:00Z"), max: new Date("9999-12-31T23:59:59.999Z"), noInvalidDate: true }), (date) => {
        const p = partitionOf({ ...base, received_at: date.toISOString() }, "r");
        expect(p.dt).toBe(`${String(date.getUTCFullYear()).padStart(4, "0")}-${String(date.getUTCMonth() + 1).padStart(2, "0")}-${String(date.getUTCDate()).padStart(2, "0")}`);
        expect(Number(p.hour)).toBe(date.getUTCHours());
        expect(p.hour).toHaveLength(2);
      }),
    );
  });
});

describe("stagingObjectId", () => {
  const ref = { bucket: "staging", key: "2024/05/06/07/stream-1-2024-05-06-07-08-09-abc.gz", etag: "0123abcd" };

  it("is the first 16 hex chars of sha256(bucket/key@etag)", () => {
    // echo -n 'staging/2024/05/06/07/stream-1-2024-05-06-07-08-09-abc.gz@0123abcd' | sha256sum
    expect(stagingObjectId(ref)).toBe("47aa8249922f3ebd");
  });

  it("ignores ETag quotes and case (notifications carry them bare, GetObject quoted)", () => {
    expect(stagingObjectId({ ...ref, etag: '"0123ABCD"' })).toBe(stagingObjectId(ref));
  });

  it("differs when bucket, key or etag differ", () => {
    const ids = new Set([
      stagingObjectId(ref),
      stagingObjectId({ ...ref, bucket: "other" }),
      stagingObjectId({ ...ref, key: ref.key + "x" }),
      stagingObjectId({ ...ref, etag: "0123abce" }),
      stagingObjectId({ ...ref, etag: null }),
    ]);
    expect(ids.size).toBe(5);
  });
});

describe("archive keys", () => {
  const partition = { route: "messages", dt: "2024-05-06", hour: "07" };

  it("follows <prefix>/route=/dt=/hour=/<id>-<part>.parquet, no leading segment by default", () => {
    expect(archiveObjectKey("", partition, "0011223344556677", 0)).toBe(
      "route=messages/dt=2024-05-06/hour=07/0011223344556677-0000.parquet",
    );
    expect(archiveObjectKey("archive/v1/", partition, "0011223344556677", 12)).toBe(
      "archive/v1/route=messages/dt=2024-05-06/hour=07/0011223344556677-0012.parquet",
    );
    expect(archiveObjectKey("/archive", partition, "ab", 3)).toBe("archive/route=messages/dt=2024-05-06/hour=07/ab-0003.parquet");
  });

  it("keeps error objects outside the route= tree", () => {
    expect(archiveErrorKey("", "0011223344556677", 1)).toBe("errors/0011223344556677-0001.ndjson");
    expect(archiveErrorKey("a", "ff", 0)).toBe("a/errors/ff-0000.ndjson");
  });

  it("rejects part numbers that would not sort or parse", () => {
    expect(() => archiveObjectKey("", partition, "ab", -1)).toThrow(RangeError);
    expect(() => archiveObjectKey("", partition, "ab", 1.5)).toThrow(RangeError);
  });

  it("cannot add a path level through a route name, and the route decodes back", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), (route) => {
        const path = partitionPath({ ...partition, route });
        const segments = path.split("/");
        expect(segments).toHaveLength(3);
        expect(decodeURIComponent(segments[0]!.slice("route=".length))).toBe(route);
      }),
    );
  });
});
