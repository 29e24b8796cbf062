/**
 * The CSV of `ims subscriber import` (ARCHITECTURE.md §7): a header line naming the columns,
 * from impu,impi,password,k,op,opc,amf,tel (only impu required), then one subscriber a line.
 * Fields are separated by commas; a field may be quoted ("a,b" with "" for a quote, RFC 4180
 * §2) but not span lines. An empty field is an absent value.
 */

export const CSV_COLUMNS = ['impu', 'impi', 'password', 'k', 'op', 'opc', 'amf', 'tel'] as const;
export type CsvColumn = (typeof CSV_COLUMNS)[number];
export type CsvRecord = Partial<Record<CsvColumn, string>>;

export class CsvError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CsvError';
  }
}

/** The fields of one line. Throws CsvError for a quote that is not closed or is followed by text. */
export function parseCsvLine(line: string): string[] {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    while (line[i] === ' ' || line[i] === '\t') i++;
    if (line[i] === '"') {
      let value = '';
      i++;
      for (;;) {
        const q = line.indexOf('"', i);
        if (q < 0) throw new CsvError('a quoted field is not closed on its line');
        value += line.slice(i, q);
        if (line[q + 1] === '"') {
          value += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
      while (line[i] === ' ' || line[i] === '\t') i++;
      if (i < line.length && line[i] !== ',') throw new CsvError('text after a closing quote');
      fields.push(value);
    } else {
      const comma = line.indexOf(',', i);
      const end = comma < 0 ? line.length : comma;
      fields.push(line.slice(i, end).trim());
      i = end;
    }
    if (i >= line.length) return fields;
    i++; // the comma
  }
}

/** The columns the header names, in order. Throws CsvError naming what is wrong. */
export function parseCsvHeader(line: string): CsvColumn[] {
  const names = parseCsvLine(line.replace(/^\uFEFF/, '')).map((n) => n.toLowerCase());
  const columns: CsvColumn[] = [];
  for (const name of names) {
    if (!(CSV_COLUMNS as readonly string[]).includes(name))
      throw new CsvError(`unknown column '${name}' (columns: ${CSV_COLUMNS.join(',')})`);
    if (columns.includes(name as CsvColumn)) throw new CsvError(`column '${name}' named twice`);
    columns.push(name as CsvColumn);
  }
  if (!columns.includes('impu'))
    throw new CsvError(`the header must name the impu column (${CSV_COLUMNS.join(',')})`);
  return columns;
}

/** The record of one data line: non-empty fields by column. Throws CsvError. */
export function parseCsvRecord(line: string, columns: readonly CsvColumn[]): CsvRecord {
  const fields = parseCsvLine(line);
  if (fields.length !== columns.length)
    throw new CsvError(
      `${fields.length} field${fields.length === 1 ? '' : 's'} where the header names ${columns.length}`,
    );
  const record: CsvRecord = {};
  columns.forEach((c, i) => {
    const value = fields[i];
    if (value !== undefined && value !== '') record[c] = value;
  });
  if (record.impu === undefined) throw new CsvError('impu is empty');
  return record;
}
