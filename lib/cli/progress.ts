import cliProgress from "cli-progress";

/**
 * Progress for long steps: a bar with the rate and the time left on a terminal, a plain line per
 * 10% when output is a file or a pipe (CI logs stay readable). Writes to stderr so stdout keeps
 * only results.
 */
export function progressReporter(stream: NodeJS.WriteStream = process.stderr, now: () => number = () => performance.now()) {
  const bars = new Map<string, cliProgress.SingleBar>();
  const lastDecile = new Map<string, number>();
  const started = new Map<string, number>();
  return {
    update(phase: string, done: number, total: number) {
      if (!started.has(phase)) started.set(phase, now());
      const speed = rate(done, now() - started.get(phase)!);
      if (stream.isTTY) {
        let bar = bars.get(phase);
        if (!bar) {
          bar = new cliProgress.SingleBar(
            { stream, format: `${phase.padEnd(7)} [{bar}] {value}/{total} {percentage}% | {rate}/s | {duration_formatted} | eta {eta_formatted}`, hideCursor: true, etaBuffer: 50 },
            cliProgress.Presets.shades_classic,
          );
          bar.start(total, 0, { rate: speed });
          bars.set(phase, bar);
        }
        bar.update(done, { rate: speed });
        if (done >= total) bar.stop();
        return;
      }
      const decile = total === 0 ? 10 : Math.floor((10 * done) / total);
      if (decile > (lastDecile.get(phase) ?? -1)) {
        lastDecile.set(phase, decile);
        const eta = done > 0 && done < total ? `, about ${Math.ceil(((total - done) * (now() - started.get(phase)!)) / done / 1000)} s left` : "";
        stream.write(`${phase}: ${done}/${total} (${speed}/s${eta})\n`);
      }
    },
    stop() {
      for (const bar of bars.values()) bar.stop();
    },
  };
}

function rate(done: number, elapsedMs: number): string {
  const perSecond = elapsedMs > 0 ? (1000 * done) / elapsedMs : 0;
  return perSecond >= 10 ? perSecond.toFixed(0) : perSecond.toFixed(1);
}
