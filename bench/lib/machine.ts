/**
 * The facts every benchmark prints in its header, so a table is never read without knowing what
 * it ran on and how busy the machine was: wall-clock figures on a 2-core machine shared with other
 * work are only comparable at similar load averages.
 */
import { cpus, loadavg, totalmem } from 'node:os';

/** A 1-minute load average above this share of the cores marks the run as measured under load. */
export const loadedMachineShareOfCores = 0.5;

export interface MachineFacts {
  readonly cpuModel: string;
  readonly cores: number;
  readonly memGiB: number;
  readonly node: string;
  /** 1, 5 and 15 minute load averages. */
  readonly load: readonly [number, number, number];
}

export function machineFacts(): MachineFacts {
  const list = cpus();
  const [l1, l5, l15] = loadavg() as [number, number, number];
  return { cpuModel: list[0]?.model ?? 'unknown', cores: list.length, memGiB: totalmem() / 1024 ** 3, node: process.version, load: [l1, l5, l15] };
}

/** "load average 0.80, 1.25, 1.44" */
export function formatLoad(load: readonly number[]): string {
  return `load average ${load.map((l) => l.toFixed(2)).join(', ')}`;
}

/** Whether the machine was busy with other work (judged on the 1-minute load before the run). */
export function machineLoaded(f: MachineFacts): boolean {
  return f.load[0] > f.cores * loadedMachineShareOfCores;
}

/** The header block: title, date, machine, load (with a warning when loaded). */
export function machineHeader(title: string, f: MachineFacts = machineFacts()): string {
  const lines = [
    `# ${title}`,
    '',
    `${new Date().toISOString()}; ${f.cpuModel}, ${f.cores} cores, ${f.memGiB.toFixed(0)} GiB; Node.js ${f.node}; ${formatLoad(f.load)} before the run`,
  ];
  if (machineLoaded(f)) lines.push(`WARNING: measured while other work loaded the machine (1-minute load ${f.load[0].toFixed(2)} > ${loadedMachineShareOfCores} x ${f.cores} cores); wall-clock figures are pessimistic`);
  return lines.join('\n');
}
