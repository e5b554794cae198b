import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A small DNS-over-HTTPS server speaking the JSON API that public resolvers (Cloudflare's, Google's)
 * answer `GET ?name=…&type=A|AAAA` with `accept: application/dns-json`: `Status` (0 NOERROR,
 * 2 SERVFAIL, 3 NXDOMAIN), `Question`, and `Answer` records `{name, type, TTL, data}` with CNAMEs
 * followed as a resolver does. Its zone is the test's: names it does not hold are NXDOMAIN.
 * `POST /__zone` `{name, records}` changes a name (a host that moves to a private address), and
 * `GET /__queries` lists the names asked since the last call.
 */
export type DnsRecord = { type: "A" | "AAAA" | "CNAME"; data: string } | { type: "SERVFAIL" };
export type Zone = Record<string, DnsRecord[]>;

const TYPE_CODES = { A: 1, AAAA: 28, CNAME: 5 } as const;

/** The zone the worker tests resolve against: one name per kind of answer a policy must handle. */
export const TEST_ZONE: Zone = {
  "public.example.test": [
    { type: "A", data: "93.184.216.34" },
    { type: "AAAA", data: "2606:2800:220:1:248:1893:25c8:1946" },
  ],
  "private.example.test": [{ type: "A", data: "10.1.2.3" }],
  "loopback.example.test": [{ type: "A", data: "127.0.0.1" }],
  "metadata.example.test": [{ type: "A", data: "169.254.169.254" }],
  "ula.example.test": [{ type: "AAAA", data: "fd00::1" }],
  "mixed.example.test": [
    { type: "A", data: "93.184.216.34" },
    { type: "AAAA", data: "::1" },
  ],
  "alias.example.test": [{ type: "CNAME", data: "private.example.test" }],
  "broken.example.test": [{ type: "SERVFAIL" }],
};

const fqdn = (name: string) => (name.endsWith(".") ? name : `${name}.`);
const bare = (name: string) => name.toLowerCase().replace(/\.$/, "");

export async function startDohServer(initial: Zone = TEST_ZONE) {
  const zone = new Map(Object.entries(initial).map(([name, records]) => [bare(name), records]));
  let queries: string[] = [];

  function answer(name: string, type: "A" | "AAAA") {
    const answers: { name: string; type: number; TTL: number; data: string }[] = [];
    let current = bare(name);
    for (let hops = 0; hops < 8; hops++) {
      const records = zone.get(current);
      if (!records) return { status: answers.length ? 0 : 3, answers };
      if (records.some((r) => r.type === "SERVFAIL")) return { status: 2, answers: [] };
      const cname = records.find((r) => r.type === "CNAME");
      if (cname && cname.type === "CNAME") {
        answers.push({ name: fqdn(current), type: TYPE_CODES.CNAME, TTL: 60, data: fqdn(cname.data) });
        current = bare(cname.data);
        continue;
      }
      for (const r of records)
        if (r.type === type)
          answers.push({ name: fqdn(current), type: TYPE_CODES[type], TTL: 60, data: r.data });
      return { status: 0, answers };
    }
    return { status: 2, answers: [] };
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://doh");
    if (url.pathname === "/__queries") {
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(queries));
      queries = [];
      return;
    }
    if (url.pathname === "/__zone" && req.method === "POST") {
      let body = "";
      req.on("data", (c: Buffer) => {
        body += c.toString();
      });
      req.on("end", () => {
        const { name, records } = JSON.parse(body) as { name: string; records: DnsRecord[] };
        zone.set(bare(name), records);
        res.writeHead(200, { "content-type": "application/json" }).end("{}");
      });
      return;
    }
    const name = url.searchParams.get("name") ?? "";
    const type = url.searchParams.get("type");
    if (url.pathname !== "/dns-query" || !name || (type !== "A" && type !== "AAAA")) {
      res.writeHead(400, { "content-type": "text/plain" }).end("name and type (A or AAAA) required");
      return;
    }
    queries.push(`${bare(name)} ${type}`);
    const { status, answers } = answer(name, type);
    res.writeHead(200, { "content-type": "application/dns-json" }).end(
      JSON.stringify({
        Status: status,
        TC: false,
        RD: true,
        RA: true,
        AD: false,
        CD: false,
        Question: [{ name: fqdn(name), type: TYPE_CODES[type] }],
        ...(answers.length ? { Answer: answers } : {}),
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/dns-query`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
