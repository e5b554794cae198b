import { API_KEY, type DesktopApi } from "../shared/ipc.ts";

/** The preload's API. Renderer code touches nothing else of the outside world. */
export function desktopApi(): DesktopApi {
  const api = (window as unknown as Record<string, DesktopApi | undefined>)[API_KEY];
  if (!api) throw new Error("The desktop API is missing (the preload did not run)");
  return api;
}

type Attrs = Record<string, string | number | boolean | null | undefined | ((ev: Event) => void)>;
type Child = Node | string | null | undefined | false;

/** A tiny element builder: `on*` attributes become listeners, everything else attributes. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: (Child | Child[])[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (typeof value === "function") el.addEventListener(name.slice(2).toLowerCase(), value);
    else if (value === true) el.setAttribute(name, "");
    else el.setAttribute(name, String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child);
  }
  return el;
}

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} is missing from the page`);
  return el as T;
}

export function errorMessage(err: unknown): string {
  const e = err as { message?: string; fields?: { field: string; message: string }[] };
  const base = e?.message ?? String(err);
  // Field errors the message does not already spell out.
  const fields = e?.fields
    ?.map((f) => `${f.field}: ${f.message}`)
    .filter((f) => !base.includes(f))
    .join("; ");
  return fields ? `${base} (${fields})` : base;
}
