import { cpus, loadavg, totalmem } from "node:os";

/** The line under a benchmark's title: what ran, on what. The load average says how shared the machine was. */
export function machineLine(command: string, extra: string[] = []): string {
  const cpu = cpus();
  return [
    `command: ${command}`,
    `node ${process.version}`,
    `${cpu.length} × ${cpu[0]?.model.trim() ?? "cpu"}`,
    `${(totalmem() / 2 ** 30).toFixed(0)} GiB`,
    `load average at start ${loadavg()[0]!.toFixed(1)}`,
    ...extra,
  ].join(" · ");
}
