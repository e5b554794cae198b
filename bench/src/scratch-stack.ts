import { writeFileSync } from "node:fs";
import { startTestStack } from "@cw/testing/node";

const stack = await startTestStack("cw-scratch-", { vmHostControl: true });
writeFileSync(
  "/tmp/scratch-stack.json",
  JSON.stringify({ url: stack.workerUrl, token: stack.token, vmHost: stack.vmHost }),
);
console.log("ready", stack.workerUrl);
process.on("SIGTERM", async () => {
  await stack.stop();
  process.exit(0);
});
setInterval(() => {}, 1 << 30);
