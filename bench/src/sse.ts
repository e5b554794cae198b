import { Event } from "@cw/contracts";

/**
 * A minimal Server-Sent Events reader over Node's `fetch` for `GET /v1/events/stream`: calls
 * `onEvent` with each event (its `data:`, parsed by the contract) the moment its frame is complete.
 */
export async function openSse(url: string, headers: Record<string, string>, onEvent: (event: Event) => void) {
  const controller = new AbortController();
  const res = await fetch(url, { headers, signal: controller.signal });
  if (!res.ok || !res.body) throw new Error(`event stream answered ${res.status}`);
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  const done = (async () => {
    let buffer = "";
    try {
      for (;;) {
        const chunk = await reader.read();
        if (chunk.done) return;
        buffer += decoder.decode(chunk.value, { stream: true });
        for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
          const data = buffer
            .slice(0, end)
            .split("\n")
            .find((l) => l.startsWith("data: "));
          buffer = buffer.slice(end + 2);
          if (data) onEvent(Event.parse(JSON.parse(data.slice(6))));
        }
      }
    } catch (err) {
      if (!controller.signal.aborted) throw err;
    }
  })();
  return {
    close: async () => {
      controller.abort();
      await done;
    },
  };
}
