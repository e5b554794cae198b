import { parseArgs } from "node:util";
import { z } from "zod";
import { createOrganizationWithOwner } from "./api-tokens.ts";
import { createDb } from "./client.ts";
import { localDataDir, readLocalStackFile } from "./local-stack-file.ts";
import { startWsProxy, useNodeWebSocket } from "./node.ts";

const usage = `usage: pnpm admin create-org --name <organization> --email <owner email> [--user-name <name>]

Creates an organization, its owner and an API token, and prints the token (shown once).
Uses DATABASE_URL, or the running local stack's database when DATABASE_URL is unset
(the stack in CW_DATA_DIR, else in .data/).`;

const argsSchema = z.object({
  name: z.string().trim().min(1, "--name is required"),
  email: z.email("--email must be an email address"),
  "user-name": z.string().trim().min(1).optional(),
});

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { name: { type: "string" }, email: { type: "string" }, "user-name": { type: "string" } },
});
if (positionals[0] !== "create-org") {
  console.error(usage);
  process.exit(2);
}
const parsed = argsSchema.safeParse(values);
if (!parsed.success) {
  console.error(`${parsed.error.issues.map((i) => i.message).join("\n")}\n\n${usage}`);
  process.exit(2);
}
const databaseUrl = process.env.DATABASE_URL || readLocalStackFile(localDataDir())?.databaseUrl;
if (!databaseUrl) {
  console.error("Set DATABASE_URL, or start the local stack (pnpm dev) first.");
  process.exit(2);
}

useNodeWebSocket();
const isNeon = /\.neon\.tech(:\d+)?\//.test(databaseUrl);
const proxy = isNeon ? undefined : await startWsProxy();
const handle = createDb({ DATABASE_URL: databaseUrl, DATABASE_WS_PROXY: proxy?.address });
try {
  const { organization, user, token } = await createOrganizationWithOwner(handle.db, {
    organizationName: parsed.data.name,
    email: parsed.data.email,
    userName: parsed.data["user-name"] ?? parsed.data.email.split("@")[0]!,
  });
  console.log(`organization ${organization.id} (${organization.name})`);
  console.log(`owner        ${user.id} (${user.email})`);
  console.log(`token        ${token}`);
} finally {
  await handle.close();
  await proxy?.close();
}
