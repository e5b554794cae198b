import { z } from "zod";

/**
 * How a VM says which workspace of which deployment it belongs to. Freestyle's v1 API has no name
 * or metadata for a VM, so the tag is a file written into it at create (`additionalFiles`) and read
 * back through the files API. Only the janitor reads it, and only for VMs no workspace row points
 * to, which no user can reach; it acts only on tags naming this deployment.
 */
export const VM_TAG_PATH = "/etc/cloud-workspaces/tag.json";

export const VmTag = z.object({
  /** The deployment's id (its database's `deployment` row). */
  deployment: z.uuid(),
  workspaceId: z.uuid(),
  /** When the create was asked for, by the control plane's clock. */
  createdAt: z.iso.datetime(),
});
export type VmTag = z.infer<typeof VmTag>;

/** The tag in a file's text, or null when it is not one (absent, edited, another format). */
export function parseVmTag(text: string): VmTag | null {
  try {
    const parsed = VmTag.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
