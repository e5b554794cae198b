import type { ProviderType } from "@cw/contracts";
import type { Config } from "../config.ts";
import { FreestyleProvider } from "./freestyle.ts";
import type { CloudProvider } from "./types.ts";

export * from "./types.ts";

/** Provider types a workspace can be created with today. Fly keeps its enum value until it is built. */
export const availableProviders: readonly ProviderType[] = ["freestyle"];

export type ProviderFactory = (type: ProviderType) => CloudProvider;

export function providerFactory(config: Config): ProviderFactory {
  return (type) => {
    switch (type) {
      case "freestyle":
        return new FreestyleProvider({
          apiKey: config.FREESTYLE_API_KEY,
          baseUrl: config.FREESTYLE_API_URL,
          sshHost: config.FREESTYLE_SSH_HOST,
          sshPort: config.FREESTYLE_SSH_PORT,
          timeoutMs: config.PROVIDER_TIMEOUT_MS,
          createTimeoutMs: config.PROVIDER_CREATE_TIMEOUT_MS,
        });
      case "fly":
        throw new Error("the fly provider is not implemented");
    }
  };
}
