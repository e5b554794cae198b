import { z } from "zod";

/**
 * zod compiles a parser for every object schema on its first parse (`new Function`), which pays
 * back only over many parses; a `cw` run parses a few answers once each, and measured ~2 ms
 * instead of ~4–8 ms without it. Imported first by the commands' bundle, because zod reads the
 * setting when a schema is built.
 */
z.config({ jitless: true });
