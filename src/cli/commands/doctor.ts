/**
 * `credkit doctor [--json]`: checks credential stores, helpers, auth files and docker/podman
 * agreement on this machine, one line per finding with how to fix it. Exit 0 when nothing is at
 * error level, 1 otherwise.
 */
import type { CommandModule } from 'yargs';
import { runDoctor } from '../../doctor/doctor.js';
import { systemProbes } from '../../doctor/probes.js';
import { doctorExitCode, doctorReportJSON, formatFinding } from '../../doctor/report.js';
import type { CommandContext } from '../context.js';
import { jsonOption, printJSON, say } from '../context.js';

interface DoctorArgs {
  json?: boolean;
  'call-helpers'?: boolean;
  [key: string]: unknown;
}

/** `credkit doctor`. */
export function doctorCommand(ctx: CommandContext): CommandModule<object, DoctorArgs> {
  return {
    command: 'doctor',
    describe: 'Check stores, helpers, auth files and docker/podman agreement; say how to fix each problem',
    builder: (y) =>
      y
        .option('json', jsonOption(ctx))
        .option('call-helpers', { type: 'boolean', default: true, describe: 'call `list` on each helper (--no-call-helpers: only look on PATH)' }) as never,
    handler: async (args) => {
      const probes = systemProbes(ctx.io, { uid: process.getuid?.(), packageRoot: ctx.packageRoot });
      const report = await runDoctor(ctx.io, probes, { callHelpers: args['call-helpers'] !== false });
      ctx.exitCode = doctorExitCode(report);
      if (args.json) return printJSON(ctx, doctorReportJSON(report));
      for (const f of report.findings) say(ctx, formatFinding(f));
      const { errors, warnings } = report;
      say(ctx, `doctor: ${errors} ${errors === 1 ? 'error' : 'errors'}, ${warnings} ${warnings === 1 ? 'warning' : 'warnings'}`);
    },
  };
}
