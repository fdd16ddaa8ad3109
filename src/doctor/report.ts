/**
 * What `credkit doctor` reports: findings at four levels, each saying what it found and, when
 * something is wrong, how to fix it. Messages name files, helpers, registries and usernames,
 * never a secret.
 */

/** `error` fails doctor (exit 1); `warn` and `info` do not; `ok` says a check passed. */
export type Level = 'ok' | 'info' | 'warn' | 'error';

/** Which part of the machine a finding is about. */
export type Area = 'stores' | 'helpers' | 'files' | 'agreement';

/** One line of the report. */
export interface DoctorFinding {
  level: Level;
  area: Area;
  /** Stable identifier for scripts. */
  code: string;
  /** What was found, one line. */
  what: string;
  /** How to fix it, when there is something to fix. */
  fix?: string;
  /** The file the finding is about, when there is one. */
  path?: string;
}

/** The whole report. */
export interface DoctorReport {
  findings: DoctorFinding[];
  /** The backend `auto` would pick, or null when none is usable. */
  autoBackend: string | null;
  /** The backend credkit's helper uses (`CREDKIT_BACKEND`, config.ini, else auto). */
  configuredBackend: string | undefined;
  wsl: boolean;
  errors: number;
  warnings: number;
}

/**
 * A finding as `doctor --json` prints it: its own fields, then the same facts under the names and
 * spelling `check --json` gives them (`severity` error, warning or note, `message`, `file`), so
 * that one script reads both reports. `ok`, a check that passed, has no counterpart in check.
 */
export interface DoctorFindingJSON extends DoctorFinding {
  severity: 'ok' | 'note' | 'warning' | 'error';
  message: string;
  file?: string;
}

const SEVERITY: Record<Level, DoctorFindingJSON['severity']> = { ok: 'ok', info: 'note', warn: 'warning', error: 'error' };

/** The report as `doctor --json` prints it: each finding also in check's words (see DoctorFindingJSON). */
export function doctorReportJSON(report: DoctorReport): Omit<DoctorReport, 'findings'> & { findings: DoctorFindingJSON[] } {
  const findings = report.findings.map((f) => ({ ...f, severity: SEVERITY[f.level], message: f.what, ...(f.path !== undefined ? { file: f.path } : {}) }));
  return { ...report, findings };
}

/** Counts the findings at error and warn level. */
export function countLevels(findings: readonly DoctorFinding[]): { errors: number; warnings: number } {
  return {
    errors: findings.filter((f) => f.level === 'error').length,
    warnings: findings.filter((f) => f.level === 'warn').length,
  };
}

/** 0 when nothing is at error level, else 1 (usage errors never reach a report). */
export function doctorExitCode(report: Pick<DoctorReport, 'errors'>): number {
  return report.errors > 0 ? 1 : 0;
}

/** A path for messages: the home directory shown as `~`. */
export function displayPath(path: string, home: string): string {
  if (home && home !== '/' && (path === home || path.startsWith(`${home}/`))) return `~${path.slice(home.length)}`;
  return path;
}

/** `error  what; fix: …` — one line per finding, the level padded so that lines align. */
export function formatFinding(f: DoctorFinding): string {
  return `${f.level.padEnd(5)}  ${f.what}${f.fix ? `; fix: ${f.fix}` : ''}`;
}
