import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A small S3 on 127.0.0.1:0 for the forwarder's staging reads, reached by the real SDK client
 * with AWS_ENDPOINT_URL_S3=<url> and path-style URLs (FORWARDER_S3_FORCE_PATH_STYLE=true):
 * GetObject (streamed from memory), GetObjectTagging and PutObjectTagging (the "forwarded"
 * marker). Objects are put by the test into `objects` under "bucket/key". Signatures are not
 * checked. Every request is counted by operation.
 */
export interface FakeS3 {
  readonly endpoint: string;
  /** "bucket/key" → body. */
  readonly objects: Map<string, Buffer>;
  /** "bucket/key" → the last PutObjectTagging body (XML). */
  readonly tags: Map<string, string>;
  readonly requests: Record<"GetObject" | "GetObjectTagging" | "PutObjectTagging" | "other", number>;
  close(): Promise<void>;
}

export async function startFakeS3(): Promise<FakeS3> {
  const objects = new Map<string, Buffer>();
  const tags = new Map<string, string>();
  const requests: FakeS3["requests"] = { GetObject: 0, GetObjectTagging: 0, PutObjectTagging: 0, other: 0 };
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? "/", "http://x");
    const path = decodeURIComponent(url.pathname.slice(1));
    const xml = (status: number, body: string) => res.writeHead(status, { "content-type": "application/xml" }).end(body);
    const tagging = url.searchParams.has("tagging");
    if (req.method === "GET" && !tagging) requests.GetObject += 1;
    else if (req.method === "GET") requests.GetObjectTagging += 1;
    else if (req.method === "PUT" && tagging) requests.PutObjectTagging += 1;
    else {
      requests.other += 1;
      return xml(501, "<Error><Code>NotImplemented</Code><Message>not faked</Message></Error>");
    }
    if (!objects.has(path)) return xml(404, "<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>");
    if (tagging && req.method === "PUT") {
      tags.set(path, Buffer.concat(chunks).toString("utf8"));
      return xml(200, "");
    }
    if (tagging) {
      const tagSet = (tags.get(path) ?? "").match(/<TagSet>.*<\/TagSet>/s)?.[0] ?? "<TagSet></TagSet>";
      return xml(200, `<Tagging>${tagSet}</Tagging>`);
    }
    const body = objects.get(path)!;
    res.writeHead(200, { "content-type": "application/octet-stream", "content-length": String(body.byteLength), etag: '"e1"' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    objects,
    tags,
    requests,
    close() {
      server.closeAllConnections();
      return new Promise((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    },
  };
}
