import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppEnv } from "../http/app-env.ts";
import { operation, problem } from "../http/openapi-helpers.ts";
import { answerVmGitCredential } from "../services/vm-git-credential.ts";

const gitCredentialText = (description: string) => ({
  description,
  content: { "text/plain": { schema: z.string().openapi({ example: "protocol=https\nhost=github.com\n" }) } },
});

const gitCredential = createRoute({
  ...operation("getVmGitCredential"),
  security: [{ vmCredential: [] }],
  request: {
    body: {
      required: true,
      ...gitCredentialText("git's credential request for `get`, as git writes it to a helper"),
    },
  },
  responses: {
    200: gitCredentialText("username, password and password_expiry_utc, as a helper answers git"),
    400: problem("Not git's credential protocol, or not an http(s) request"),
    401: problem("Missing, unknown or revoked VM credential (its workspace was deleted)"),
    403: problem("The host is not the workspace's repository's"),
    404: problem("No git credential for the host (the creator's own or the organization's)"),
  },
});

/** Routes a workspace's VM calls with its own credential (`requireCredential` checks it). */
export function vmRoutes(app: OpenAPIHono<AppEnv>) {
  app.openAPIRegistry.registerComponent("securitySchemes", "vmCredential", {
    type: "http",
    scheme: "bearer",
    description: "A workspace VM's own credential, installed in the VM at create (never an API token)",
  });
  app.openapi(gitCredential, async (c) => {
    const answer = await answerVmGitCredential(c.get("deps"), c.get("vm"), await c.req.text());
    return c.text(answer, 200, { "cache-control": "no-store" });
  });
}
