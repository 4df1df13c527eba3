import { DomainError } from '@leadflow/platform/errors';
import { Injectable } from '@nestjs/common';
import type { FileInfo } from 'busboy';
import busboy from 'busboy';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, unlink } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { basename, join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { v7 as uuidv7 } from 'uuid';
import { IngestionEnv } from '../config/env.schema';
import { CsvRecordCounter } from './csv-record-counter';
import { ImportError, ImportErrorCode } from './imports.errors';

/** Room for the multipart framing and the small fields around the file. */
const MULTIPART_SLACK_BYTES = 1024 * 1024;
/** How much of the file's start is kept to tell a CSV from a binary file. */
const SNIFF_BYTES = 8192;
const FIELD_MAX_BYTES = 256 * 1024;

/** The uploaded file, stored under IMPORT_DIR as `<id>.csv.part` until the import is accepted. */
export interface UploadedFile {
  path: string;
  /** The client's file name, reduced to a base name (never used as a path). */
  name: string;
  mimeType: string;
  bytes: number;
  /** Records counted while streaming, header row included (see CsvRecordCounter). */
  records: number;
  /** The first bytes of the file. */
  head: Buffer;
}

export interface ReceivedUpload {
  /** The import's id (the file is named after it). */
  id: string;
  webhookId: string | undefined;
  columnMapping: string | undefined;
  file: UploadedFile | null;
}

function cleanFileName(name: string | undefined): string {
  const base = basename((name ?? '').replace(/\\/g, '/'))
    .replace(/\p{Cc}/gu, '')
    .trim();
  return (base || 'upload.csv').slice(0, 255);
}

/**
 * Receives `multipart/form-data` imports straight from the request stream (Nest does not parse
 * multipart bodies): the `file` part is streamed to disk through a byte and record counter and
 * never held in memory, stopping at IMPORT_MAX_BYTES (413: the partial file is deleted); the
 * fields `webhookId` and `columnMapping` are collected.
 */
@Injectable()
export class ImportUploadReceiver {
  private readonly directory: string;
  private readonly maxBytes: number;

  constructor(env: IngestionEnv) {
    this.directory = resolve(env.IMPORT_DIR);
    this.maxBytes = env.IMPORT_MAX_BYTES;
  }

  /** Where an accepted import's file is kept. */
  pathOf(id: string): string {
    return join(this.directory, `${id}.csv`);
  }

  async receive(req: IncomingMessage): Promise<ReceivedUpload> {
    const contentType = req.headers['content-type'] ?? '';
    if (!/^multipart\/form-data\s*;/i.test(contentType))
      throw ImportError.of(ImportErrorCode.NotMultipart, { contentType: contentType.split(';')[0] });
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > this.maxBytes + MULTIPART_SLACK_BYTES) {
      throw ImportError.of(ImportErrorCode.FileTooLarge, { maxBytes: this.maxBytes });
    }
    await mkdir(this.directory, { recursive: true });
    const id = uuidv7();
    const partPath = join(this.directory, `${id}.csv.part`);
    try {
      return await this.parse(req, id, partPath);
    } catch (error) {
      await unlink(partPath).catch(() => undefined);
      throw error;
    }
  }

  /** Moves an accepted upload to its final name. */
  async keep(file: UploadedFile, id: string): Promise<string> {
    const path = this.pathOf(id);
    await rename(file.path, path);
    return path;
  }

  async discard(path: string): Promise<void> {
    await unlink(path).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
  }

  private async parse(req: IncomingMessage, id: string, partPath: string): Promise<ReceivedUpload> {
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: req.headers,
        defParamCharset: 'utf8',
        limits: { files: 1, fields: 10, parts: 12, fieldSize: FIELD_MAX_BYTES, fileSize: this.maxBytes },
      });
    } catch (error) {
      throw ImportError.of(ImportErrorCode.MalformedUpload, { reason: (error as Error).message });
    }
    const fields = new Map<string, string>();
    const problems: { field: string; rule: string; message: string }[] = [];
    let stored: Promise<UploadedFile & { truncated: boolean }> | undefined;

    parser.on('field', (name, value, info) => {
      if (info.valueTruncated) {
        problems.push({
          field: name,
          rule: 'max_length',
          message: `${name} may have at most ${FIELD_MAX_BYTES} bytes`,
        });
      } else if (!fields.has(name)) {
        fields.set(name, value);
      }
    });
    parser.on('file', (name, stream, info) => {
      if (name !== 'file' || stored) {
        stream.resume();
        if (name === 'file')
          problems.push({ field: 'file', rule: 'single', message: 'send one file per import' });
        return;
      }
      stored = this.store(stream, info, partPath);
      // A failed disk write ends the whole upload (the request is dropped with it).
      stored.catch((error: unknown) => parser.destroy(error as Error));
    });
    parser.on('filesLimit', () =>
      problems.push({ field: 'file', rule: 'single', message: 'send one file per import' }),
    );
    parser.on('fieldsLimit', () =>
      problems.push({ field: 'body', rule: 'max_fields', message: 'too many fields' }),
    );
    parser.on('partsLimit', () =>
      problems.push({ field: 'body', rule: 'max_parts', message: 'too many parts' }),
    );

    try {
      await pipeline(req, parser);
    } catch (error) {
      if (error instanceof DomainError) throw error;
      throw ImportError.of(ImportErrorCode.MalformedUpload, { reason: (error as Error).message });
    }
    const file = stored ? await stored : null;
    if (file?.truncated) throw ImportError.of(ImportErrorCode.FileTooLarge, { maxBytes: this.maxBytes });
    if (problems.length > 0) throw ImportError.of(ImportErrorCode.InvalidUpload, { fieldErrors: problems });
    return {
      id,
      webhookId: fields.get('webhookId'),
      columnMapping: fields.get('columnMapping'),
      file: file && {
        path: file.path,
        name: file.name,
        mimeType: file.mimeType,
        bytes: file.bytes,
        records: file.records,
        head: file.head,
      },
    };
  }

  private async store(
    stream: Readable & { truncated?: boolean },
    info: FileInfo,
    path: string,
  ): Promise<UploadedFile & { truncated: boolean }> {
    const counter = new CsvRecordCounter();
    const head: Buffer[] = [];
    let headBytes = 0;
    let bytes = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        bytes += chunk.length;
        counter.push(chunk);
        if (headBytes < SNIFF_BYTES) {
          const part = chunk.subarray(0, SNIFF_BYTES - headBytes);
          head.push(Buffer.from(part));
          headBytes += part.length;
        }
        done(null, chunk);
      },
    });
    await pipeline(stream, meter, createWriteStream(path, { flags: 'wx' }));
    return {
      path,
      name: cleanFileName(info.filename),
      mimeType: info.mimeType,
      bytes,
      records: counter.total(),
      head: Buffer.concat(head),
      truncated: stream.truncated === true,
    };
  }
}
