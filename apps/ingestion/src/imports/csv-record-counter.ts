const QUOTE = 0x22;
const COMMA = 0x2c;
const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const TAB = 0x09;

/**
 * Counts the records of a CSV while its bytes stream past (during the upload), the way the
 * import's parser will read them: newlines inside quoted fields do not end a record, a quote
 * opens a quoted field only at the start of a field (elsewhere it is a literal, as with
 * `relax_quotes`), `""` inside quotes is an escaped quote, and empty lines are not records.
 * Only an estimate for progress: the import's total becomes exact when it completes.
 */
export class CsvRecordCounter {
  private records = 0;
  private inQuotes = false;
  /** A quote inside a quoted field: an escaped quote if another follows, else the closing one. */
  private quoteSeen = false;
  private atFieldStart = true;
  private lineHasContent = false;

  push(chunk: Uint8Array): void {
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i];
      if (this.inQuotes) {
        if (this.quoteSeen) {
          this.quoteSeen = false;
          if (c === QUOTE) continue;
          this.inQuotes = false;
        } else {
          if (c === QUOTE) this.quoteSeen = true;
          continue;
        }
      }
      if (c === LF) {
        if (this.lineHasContent) this.records++;
        this.lineHasContent = false;
        this.atFieldStart = true;
      } else if (c === CR) {
        continue;
      } else if (c === QUOTE && this.atFieldStart) {
        this.inQuotes = true;
        this.lineHasContent = true;
        this.atFieldStart = false;
      } else if (c === COMMA) {
        this.lineHasContent = true;
        this.atFieldStart = true;
      } else if ((c === SPACE || c === TAB) && this.atFieldStart) {
        continue; // trimmed: a quote may still open the field
      } else {
        this.lineHasContent = true;
        this.atFieldStart = false;
      }
    }
  }

  /** Records seen, counting a last line without a newline. */
  total(): number {
    return this.records + (this.lineHasContent ? 1 : 0);
  }
}
