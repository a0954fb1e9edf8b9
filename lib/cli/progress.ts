import cliProgress from "cli-progress";

/**
 * Progress for long steps: a bar on a terminal, a plain line per 10% when output is a file or a
 * pipe (CI logs stay readable). Writes to stderr so stdout keeps only results.
 */
export function progressReporter(stream: NodeJS.WriteStream = process.stderr) {
  const bars = new Map<string, cliProgress.SingleBar>();
  const lastDecile = new Map<string, number>();
  return {
    update(phase: string, done: number, total: number) {
      if (stream.isTTY) {
        let bar = bars.get(phase);
        if (!bar) {
          bar = new cliProgress.SingleBar(
            { stream, format: `${phase.padEnd(7)} [{bar}] {value}/{total} {percentage}% | {duration_formatted} | eta {eta_formatted}`, hideCursor: true },
            cliProgress.Presets.shades_classic,
          );
          bar.start(total, 0);
          bars.set(phase, bar);
        }
        bar.update(done);
        if (done >= total) bar.stop();
        return;
      }
      const decile = total === 0 ? 10 : Math.floor((10 * done) / total);
      if (decile > (lastDecile.get(phase) ?? -1)) {
        lastDecile.set(phase, decile);
        stream.write(`${phase}: ${done}/${total}\n`);
      }
    },
    stop() {
      for (const bar of bars.values()) bar.stop();
    },
  };
}
