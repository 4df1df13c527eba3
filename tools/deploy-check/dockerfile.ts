/**
 * A minimal Dockerfile instruction parser: parser directives, comments, line continuations
 * (`\`), instruction keyword + arguments, and exec-form (JSON array) arguments. Enough to
 * check the structure of deploy/Dockerfile; not a full BuildKit frontend (no heredocs).
 */
export interface Instruction {
  keyword: string;
  args: string;
  /** Exec-form arguments when `args` is a JSON array of strings. */
  json?: string[];
  /** Leading `--flag=value` options (COPY --from, HEALTHCHECK --interval, RUN --mount ...). */
  flags: Record<string, string>;
  line: number;
}

export interface Stage {
  name?: string;
  from: string;
  index: number;
  instructions: Instruction[];
}

export interface ParsedDockerfile {
  globalArgs: Instruction[];
  stages: Stage[];
}

const KEYWORDS = new Set([
  'FROM',
  'RUN',
  'CMD',
  'LABEL',
  'EXPOSE',
  'ENV',
  'ADD',
  'COPY',
  'ENTRYPOINT',
  'VOLUME',
  'USER',
  'WORKDIR',
  'ARG',
  'ONBUILD',
  'STOPSIGNAL',
  'HEALTHCHECK',
  'SHELL',
  'MAINTAINER',
]);

export function parseInstructions(text: string): Instruction[] {
  const lines = text.split(/\r?\n/);
  const instructions: Instruction[] = [];
  let escape = '\\';
  let inDirectives = true;
  let buffer = '';
  let startLine = 0;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    const trimmed = raw.trim();
    if (inDirectives) {
      const directive = /^#\s*([a-zA-Z]+)\s*=\s*(\S+)\s*$/.exec(trimmed);
      if (directive) {
        if (directive[1]!.toLowerCase() === 'escape') escape = directive[2]!;
        continue;
      }
      inDirectives = false;
    }
    if (buffer === '' && (trimmed === '' || trimmed.startsWith('#'))) continue;
    if (buffer !== '' && trimmed.startsWith('#')) continue; // comment inside a continuation
    if (buffer === '') startLine = i + 1;
    if (trimmed.endsWith(escape)) {
      buffer += `${trimmed.slice(0, -escape.length)} `;
      continue;
    }
    buffer += trimmed;
    instructions.push(toInstruction(buffer, startLine));
    buffer = '';
  }
  if (buffer !== '') throw new Error(`line ${startLine}: instruction ends with a line continuation`);
  return instructions;
}

function toInstruction(source: string, line: number): Instruction {
  const match = /^(\S+)\s*(.*)$/.exec(source);
  if (!match) throw new Error(`line ${line}: cannot parse "${source}"`);
  const keyword = match[1]!.toUpperCase();
  if (!KEYWORDS.has(keyword)) throw new Error(`line ${line}: unknown instruction ${match[1]}`);
  let rest = match[2]!.trim();
  const flags: Record<string, string> = {};
  for (;;) {
    const flag = /^--([a-z-]+)(?:=(\S*))?\s*/.exec(rest);
    if (!flag) break;
    flags[flag[1]!] = flag[2] ?? 'true';
    rest = rest.slice(flag[0].length);
  }
  const instruction: Instruction = { keyword, args: rest, flags, line };
  const jsonArgs = keyword === 'HEALTHCHECK' ? rest.replace(/^CMD\s+/i, '') : rest;
  if (jsonArgs.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(jsonArgs);
      if (Array.isArray(parsed) && parsed.every((p): p is string => typeof p === 'string'))
        instruction.json = parsed;
    } catch {
      /* shell form that happens to start with "[" */
    }
  }
  return instruction;
}

export function parseDockerfile(text: string): ParsedDockerfile {
  const globalArgs: Instruction[] = [];
  const stages: Stage[] = [];
  for (const instruction of parseInstructions(text)) {
    if (instruction.keyword === 'FROM') {
      const from = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(instruction.args);
      if (!from) throw new Error(`line ${instruction.line}: cannot parse FROM ${instruction.args}`);
      stages.push({ from: from[1]!, name: from[2]?.toLowerCase(), index: stages.length, instructions: [] });
    } else if (stages.length === 0) {
      if (instruction.keyword !== 'ARG')
        throw new Error(`line ${instruction.line}: ${instruction.keyword} before FROM`);
      globalArgs.push(instruction);
    } else {
      stages[stages.length - 1]!.instructions.push(instruction);
    }
  }
  return { globalArgs, stages };
}
