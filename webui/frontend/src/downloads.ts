// The downloads the Download Data tab lists beside Locust's own: the server
// names them in templateArgs' extended_csv_files (the LLM stats, and their
// history when it keeps one).

/** One link of the Download Data tab. */
export interface CsvLink {
  href: string;
  title: string;
}

function isCsvLink(value: unknown): value is CsvLink {
  const { href, title } = (value ?? {}) as Partial<Record<keyof CsvLink, unknown>>;
  return typeof href === 'string' && href !== '' && typeof title === 'string' && title !== '';
}

/** The well-formed links of extended_csv_files; none when it is missing or malformed. */
export function csvLinks(value: unknown): CsvLink[] {
  return Array.isArray(value) ? value.filter(isCsvLink).map(({ href, title }) => ({ href, title })) : [];
}
