import type { CsvError, Info, Options } from 'csv-parse';
import { parse } from 'csv-parse';
import { createReadStream } from 'node:fs';

/** A record longer than this (an unclosed quote swallowing the file) stops the import instead of memory. */
export const MaxRecordChars = 1024 * 1024;

/** How every CSV of an import is read, at upload (the header) and by the worker (the rows). */
const csvOptions: Options = {
  bom: true,
  relax_quotes: true,
  relax_column_count: true,
  trim: true,
  skip_empty_lines: true,
  max_record_size: MaxRecordChars,
  info: true,
};

/** A record of the file: its values (as strings, NUL characters removed) and where it ends. */
export interface CsvRecord {
  /** Data rows are numbered from 1 after the header row. */
  row: number;
  values: string[];
  /** Byte offset in the file just after the record (where reading can resume). */
  endOffset: number;
}

/** The file cannot be read on (malformed CSV, or the file is gone): the import fails with this message. */
export class CsvFileError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CsvFileError';
  }
}

function clean(values: string[]): string[] {
  for (let i = 0; i < values.length; i++) {
    if (values[i].includes('\u0000')) values[i] = values[i].replaceAll('\u0000', '');
  }
  return values;
}

function describe(error: unknown, at: { row: number }): CsvFileError {
  if (error instanceof CsvFileError) return error;
  const csv = error as Partial<CsvError> & { code?: string };
  if (typeof csv.code === 'string' && csv.code.startsWith('CSV_')) {
    const line = typeof csv.lines === 'number' ? ` (line ${csv.lines} of the part read)` : '';
    return new CsvFileError(`the CSV cannot be read after row ${at.row}${line}: ${csv.message ?? csv.code}`, {
      cause: error,
    });
  }
  const code = (error as { code?: string }).code;
  if (code === 'ENOENT')
    return new CsvFileError('the uploaded file is no longer available', { cause: error });
  return new CsvFileError(`the uploaded file cannot be read: ${(error as Error).message}`, { cause: error });
}

/**
 * Reads the data records of an import's file from byte `offset` (0: the start, header row
 * included and skipped), numbering them after `afterRow`. Streams: memory stays bounded whatever
 * the file's size. Failures throw CsvFileError.
 */
export async function* readCsvRecords(
  path: string,
  from: { offset: number; afterRow: number },
): AsyncGenerator<CsvRecord> {
  const file = createReadStream(path, { start: from.offset, highWaterMark: 256 * 1024 });
  const parser = file.pipe(parse(csvOptions));
  file.on('error', (error) => parser.destroy(error));
  let row = from.afterRow;
  let header = from.offset === 0;
  try {
    for await (const item of parser as AsyncIterable<{ info: Info; record: string[] }>) {
      if (header) {
        header = false;
        continue;
      }
      row += 1;
      yield { row, values: clean(item.record), endOffset: from.offset + item.info.bytes };
    }
  } catch (error) {
    throw describe(error, { row });
  } finally {
    file.destroy();
    parser.destroy();
  }
}

/** The header row of a file (trimmed, BOM removed), or null when the file has no record at all. */
export async function readCsvHeader(path: string): Promise<string[] | null> {
  const records = readCsvRecordsWithHeader(path);
  try {
    const first = await records.next();
    return first.done ? null : first.value;
  } finally {
    await records.return(undefined);
  }
}

async function* readCsvRecordsWithHeader(path: string): AsyncGenerator<string[]> {
  const file = createReadStream(path, { highWaterMark: 64 * 1024 });
  const parser = file.pipe(parse({ ...csvOptions, to: 1 }));
  file.on('error', (error) => parser.destroy(error));
  try {
    for await (const item of parser as AsyncIterable<{ info: Info; record: string[] }>) {
      yield clean(item.record);
    }
  } catch (error) {
    throw describe(error, { row: 0 });
  } finally {
    file.destroy();
    parser.destroy();
  }
}
