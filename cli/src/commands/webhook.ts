import type { CreateWebhook, Webhook, WebhookDelivery } from "@cw/contracts/types";
import { flag, type ParsedArgs, stringOption } from "../args.ts";
import { type CommandContext, loggedInApi } from "../context.ts";
import { commaList, dayAndTime } from "../organization-tables.ts";
import { print, printJson, renderTable, say } from "../output.ts";

const COLUMNS = ["URL", "EVENTS", "STATUS", "DESCRIPTION", "ID"];
const statusOf = (w: Webhook) =>
  w.status === "disabled" && w.disabledReason ? `disabled: ${w.disabledReason}` : w.status;
const row = (w: Webhook): string[] => [w.url, w.events.join(","), statusOf(w), w.description ?? "", w.id];

const DELIVERY_COLUMNS = ["CREATED", "TYPE", "STATUS", "ATTEMPTS", "LAST ANSWER", "NEXT TRY", "ID"];
function deliveryRow(d: WebhookDelivery, now: Date): string[] {
  const answer = d.lastError ?? (d.lastResponseStatus === null ? "-" : String(d.lastResponseStatus));
  return [
    dayAndTime(d.createdAt, now),
    d.type,
    d.status,
    String(d.attempts),
    answer,
    d.nextAttemptAt ? dayAndTime(d.nextAttemptAt, now) : "-",
    d.id,
  ];
}

/** `cw webhook ls [--json]`. */
export async function ls(parsed: ParsedArgs, ctx: CommandContext): Promise<number> {
  const { items } = await loggedInApi(ctx).listWebhooks();
  if (flag(parsed, "json")) printJson(items);
  else if (items.length === 0) print("No webhook endpoints (cw webhook add URL adds one).");
  else print(renderTable(COLUMNS, items.map(row)));
  return 0;
}

/** `cw webhook add URL [--events T,…] [--description D] [--json]`: the secret alone on stdout. */
export async function add(parsed: ParsedArgs, ctx: CommandContext): Promise<number> {
  const events = stringOption(parsed, "events");
  const description = stringOption(parsed, "description");
  const hook = await loggedInApi(ctx).createWebhook({
    url: parsed.args[0]!,
    // The API names a type it does not know; cw passes the list on as given.
    events: (events ? commaList(events) : ["*"]) as CreateWebhook["events"],
    ...(description ? { description } : {}),
  });
  if (flag(parsed, "json")) {
    printJson(hook);
    return 0;
  }
  print(hook.secret);
  say(
    `added webhook ${hook.id} for ${hook.events.join(",")} to ${hook.url}; above is its signing secret, not shown again`,
  );
  return 0;
}

/** `cw webhook rm ID`. */
export async function rm(parsed: ParsedArgs, ctx: CommandContext): Promise<number> {
  await loggedInApi(ctx).deleteWebhook(parsed.args[0]!);
  print(`Deleted webhook ${parsed.args[0]}.`);
  return 0;
}

/** `cw webhook enable ID [--json]`. */
export async function enable(parsed: ParsedArgs, ctx: CommandContext): Promise<number> {
  const hook = await loggedInApi(ctx).enableWebhook(parsed.args[0]!);
  if (flag(parsed, "json")) printJson(hook);
  else print(`Webhook ${hook.id} to ${hook.url} is ${hook.status}.`);
  return 0;
}

/** `cw webhook test ID [--json]`: queued and sent at once; its outcome shows in the deliveries. */
export async function test(parsed: ParsedArgs, ctx: CommandContext): Promise<number> {
  const delivery = await loggedInApi(ctx).testWebhook(parsed.args[0]!);
  if (flag(parsed, "json")) printJson(delivery);
  else
    print(
      `Sending test delivery ${delivery.id}; cw webhook deliveries ${delivery.webhookId} shows how it went.`,
    );
  return 0;
}

/** `cw webhook deliveries ID [--status S] [--json]`: the latest page, newest first. */
export async function deliveries(parsed: ParsedArgs, ctx: CommandContext): Promise<number> {
  const status = stringOption(parsed, "status");
  const page = await loggedInApi(ctx).listWebhookDeliveries(parsed.args[0]!, {
    ...(status ? { status: status as WebhookDelivery["status"] } : {}),
  });
  if (flag(parsed, "json")) printJson(page);
  else if (page.items.length === 0) print("No deliveries yet.");
  else
    print(
      renderTable(
        DELIVERY_COLUMNS,
        page.items.map((d) => deliveryRow(d, new Date())),
      ),
    );
  return 0;
}
