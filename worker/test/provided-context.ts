import "vitest";

/** What global-setup.ts (Node) hands the tests (workerd) through `inject`; both programs see this. */
declare module "vitest" {
  export interface ProvidedContext {
    dbProxy: string;
    sharedDbUrl: string;
    pgBaseUrl: string;
    templateDb: string;
    /** Every database of this run starts with it (`cw_t_r<run id>_`); see global-setup.ts. */
    dbPrefix: string;
    shapeUpstream: string;
    /** The tests' DNS-over-HTTPS server (`@cw/testing/node`'s startDohServer), `…/dns-query`. */
    dnsResolver: string;
    /** A git remote URL whose server accepts connections and never answers. */
    hangingGitUrl: string;
    /** The tests' webhook receiver (`@cw/testing/node`'s startWebhookReceiver); `webhookReceiverClient` drives it. */
    webhookReceiver: string;
    vmHost: { url: string; sshHost: string; sshPort: number };
    gitRepo: {
      cloneUrl: string;
      mainHead: string;
      featureHead: string;
      vmsDir: string;
      /** Another repository whose host refuses every push (a pre-receive hook). */
      refusingPushUrl: string;
    };
  }
}

/** A request the stand-in for Electric received, as its `/__recorded` endpoint reports it. */
export interface RecordedRequest {
  url: string;
  headers: Record<string, string | string[] | undefined>;
}
