import { createApp } from "../src/app.ts";

/**
 * Prints the OpenAPI document exactly as `GET /openapi.json` serves it, built in-process: no
 * server, no bindings (the document route needs neither). Its `servers` entry is the local stack's
 * default address.
 */
const res = await createApp().request("http://127.0.0.1:8787/openapi.json");
if (!res.ok) throw new Error(`the app answered ${res.status} for /openapi.json`);
console.log(JSON.stringify(await res.json(), null, 2));
