/**
 * The presence object's SQLite tables grow columns over time; an object created before a column
 * existed gets it when it next starts (SQLite has no `add column if not exists`).
 */
export function addMissingColumns(sql: SqlStorage, table: string, columns: Record<string, string>) {
  const have = new Set(
    sql
      .exec<{ name: string }>("select name from pragma_table_info(?)", table)
      .toArray()
      .map((c) => c.name),
  );
  for (const [name, declaration] of Object.entries(columns))
    if (!have.has(name)) sql.exec(`alter table ${table} add column ${name} ${declaration}`);
}
