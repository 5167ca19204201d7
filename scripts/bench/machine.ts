/** The facts every benchmark report starts with: when, and on what machine. */
import { cpus, loadavg, totalmem } from 'node:os';
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

/** Date, CPU, memory and load of this machine, as a benchmark report header shows them. */
export interface MachineInfo {
  /** ISO date and time of the report. */
  date: string;
  /** Logical CPUs this process may use (`nproc`). */
  nproc: number;
  /** The CPU's model name from `/proc/cpuinfo`, with family and model numbers. */
  cpuModel: string;
  memoryGiB: number;
  node: string;
  /** 1-minute load average when the report started: other work on a shared machine skews figures. */
  load1: number;
}

/** Describes this machine now. */
export function machineInfo(): MachineInfo {
  return {
    date: new Date().toISOString(),
    nproc: cpus().length,
    cpuModel: cpuModel(),
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    load1: Math.round(loadavg()[0] * 10) / 10,
  };
}

/** Markdown lines describing `info`. */
export function machineMarkdown(info: MachineInfo): string[] {
  return [
    `- date: ${info.date}`,
    `- machine: ${info.nproc} CPUs (nproc), ${info.cpuModel}, ${info.memoryGiB} GiB, Node ${info.node}`,
    `- load average at start: ${info.load1}`,
  ];
}

function cpuModel(): string {
  try {
    const text = readFileSync('/proc/cpuinfo', 'utf8');
    const field = (name: string): string | undefined => text.match(new RegExp(`^${name}\\s*: (.*)$`, 'm'))?.[1];
    return `${field('model name') ?? 'unknown'} (family ${field('cpu family') ?? '?'}, model ${field('model') ?? '?'})`;
  } catch {
    return cpus()[0]?.model ?? 'unknown';
  }
}

/** The Markdown line of the 1-minute load average now: at the end of a run, beside the one at its start. */
export function loadAtEndMarkdown(): string {
  return `- load average at end: ${Math.round(loadavg()[0] * 10) / 10}`;
}

/**
 * The Markdown line of the code measured: the git commit, and whether the working tree had
 * changes (other work in the same checkout changes what runs).
 */
export function codeMarkdown(): string {
  const git = (args: string[]): string => {
    try {
      return execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      return '';
    }
  };
  const commit = git(['rev-parse', '--short', 'HEAD']) || 'unknown';
  const changed = git(['status', '--porcelain', '--untracked-files=no']).split('\n').filter(Boolean).length;
  return `- code: git ${commit}${changed > 0 ? ` with ${changed} uncommitted changed file(s) in the working tree` : ''}`;
}
