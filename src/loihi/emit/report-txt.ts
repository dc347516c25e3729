/**
 * report.txt: the compile report as plain text — titled sections of lines (what each pass did,
 * quantisation per layer, warnings, placement, latency and how many steps to run, agreement
 * figures). The driver decides the content; this writer only lays it out.
 */
export interface ReportSection {
  title: string;
  lines: string[];
}

export function reportText(header: string[], sections: ReportSection[]): string {
  const out: string[] = [...header];
  for (const s of sections) {
    if (!s.lines.length) continue;
    out.push("", s.title, "-".repeat(s.title.length), ...s.lines);
  }
  return `${out.join("\n")}\n`;
}

/** Fixed-width table rows (columns separated by two spaces, left-aligned; numbers right-aligned). */
export function table(head: string[], rows: (string | number)[][]): string[] {
  const cells = [head, ...rows.map((r) => r.map(String))];
  const w = head.map((_, j) => Math.max(...cells.map((r) => (r[j] ?? "").length)));
  return cells.map((r, i) =>
    r
      .map((c, j) => (i > 0 && typeof rows[i - 1]![j] === "number" ? c.padStart(w[j]!) : c.padEnd(w[j]!)))
      .join("  ")
      .trimEnd(),
  );
}
