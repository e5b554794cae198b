import { Menu, type MenuItemConstructorOptions, nativeImage, Tray } from "electron";
import type { TrayCommand, TrayItem } from "../core/tray-menu.ts";

function toMenuItem(item: TrayItem, run: (c: TrayCommand) => void): MenuItemConstructorOptions {
  switch (item.kind) {
    case "separator":
      return { type: "separator" };
    case "label":
      return { label: item.label, enabled: false };
    case "action":
      return { label: item.label, enabled: item.enabled, click: () => run(item.command) };
    case "submenu":
      return { label: item.label, submenu: toMenuTemplate(item.items, run) };
  }
}

/** Turns the pure tray model into an Electron menu; commands go back to `run`. */
export function toMenuTemplate(
  items: TrayItem[],
  run: (c: TrayCommand) => void,
): MenuItemConstructorOptions[] {
  return items.map((item) => toMenuItem(item, run));
}

export function createTray(iconPath: string): Tray {
  const icon = nativeImage.createFromPath(iconPath);
  icon.setTemplateImage(true);
  return new Tray(icon);
}

export function updateTray(
  tray: Tray,
  items: TrayItem[],
  tooltip: string,
  run: (c: TrayCommand) => void,
): void {
  tray.setContextMenu(Menu.buildFromTemplate(toMenuTemplate(items, run)));
  tray.setToolTip(tooltip);
}
