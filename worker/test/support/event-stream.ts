import { createExecutionContext, env } from "cloudflare:test";
import worker from "../../src/index.ts";

/** One Server-Sent Events frame: its `id:`, its `data:` (parsed) or a comment. */
export type Frame = { kind: "event"; id: string; data: any } | { kind: "comment"; text: string };

/**
 * An open `GET /v1/events/stream` through the worker's real fetch handler: frames as they arrive,
 * read until `until` is satisfied (or the deadline), then the stream is left open for more.
 */
export async function openEventStream(
  bindings: Record<string, string>,
  token: string,
  opts: { query?: string; lastEventId?: string } = {},
) {
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (opts.lastEventId) headers["last-event-id"] = opts.lastEventId;
  const res = await worker.fetch(
    new Request(`http://cw.test/v1/events/stream${opts.query ? `?${opts.query}` : ""}`, { headers }),
    { ...env, ...bindings },
    createExecutionContext(),
  );
  const reader = res.body?.getReader();
  const decoder = new TextDecoder();
  const frames: Frame[] = [];
  let buffer = "";

  async function readUntil(done: (frames: Frame[]) => boolean, timeoutMs = 20_000): Promise<Frame[]> {
    const deadline = Date.now() + timeoutMs;
    while (!done(frames)) {
      if (!reader) throw new Error(`no stream: ${res.status} ${await res.text()}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`stream: gave up after ${timeoutMs} ms with ${JSON.stringify(frames)}`);
      const chunk = await Promise.race([
        reader.read(),
        new Promise<"late">((resolve) => setTimeout(() => resolve("late"), left)),
      ]);
      if (chunk === "late") continue;
      if (chunk.done) throw new Error(`stream ended with ${JSON.stringify(frames)}`);
      buffer += decoder.decode(chunk.value, { stream: true });
      let end = buffer.indexOf("\n\n");
      while (end >= 0) {
        frames.push(...parseFrame(buffer.slice(0, end)));
        buffer = buffer.slice(end + 2);
        end = buffer.indexOf("\n\n");
      }
    }
    return frames;
  }

  return {
    status: res.status,
    headers: res.headers,
    frames,
    readUntil,
    events: () => frames.flatMap((f) => (f.kind === "event" ? [f] : [])),
    close: () => reader?.cancel().catch(() => {}),
  };
}

function parseFrame(block: string): Frame[] {
  const lines = block.split("\n");
  const id = lines.find((l) => l.startsWith("id: "))?.slice(4);
  const data = lines.find((l) => l.startsWith("data: "))?.slice(6);
  if (id !== undefined && data !== undefined) return [{ kind: "event", id, data: JSON.parse(data) }];
  return lines.filter((l) => l.startsWith(":")).map((l) => ({ kind: "comment", text: l.slice(1).trim() }));
}
