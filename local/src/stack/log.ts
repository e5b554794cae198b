const colors: Record<string, string> = { db: "34", "vm-host": "35", worker: "33", cron: "36", stack: "32" };

/** A logger that prefixes each line with its component, coloured when the terminal allows. */
export function logger(component: string): (line: string) => void {
  const tty = process.stdout.isTTY;
  const prefix = tty ? `\x1b[${colors[component] ?? "0"}m[${component}]\x1b[0m` : `[${component}]`;
  return (text) => {
    for (const line of text.split("\n")) if (line.trim()) console.log(`${prefix} ${line}`);
  };
}

export type Log = ReturnType<typeof logger>;
