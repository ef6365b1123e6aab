/*
 * Summarises a V8 CPU profile of the backend (`yarn bench:load --cpu-prof`
 * writes them to bench/load/profiles): the functions and the packages with
 * the most self time, and the functions with the most total time (self and
 * what they call), as percentages of the samples.
 *
 * Usage (from the repository root):
 *   yarn bench:load:profile bench/load/profiles/CPU.<...>.cpuprofile
 *   yarn bench:load:profile <file> --path 'product list'  # while it ran
 *   yarn bench:load:profile <file> --top 40    # more rows
 *
 * The profile spans the whole life of the backend; `--path` keeps the
 * samples taken while the load test drove that path, as the
 * `paths-<run>.json` that it wrote beside the profiles says (`--paths
 * <file>` names another than the newest).
 */
import fs from 'node:fs';
import path from 'node:path';

const PROFILES = path.resolve(__dirname, 'profiles');

/** The paths file of the newest load test run. */
function newestPaths(dir: string): string | undefined {
  const files = fs.existsSync(dir)
    ? fs.readdirSync(dir).filter(f => /^paths-.*\.json$/.test(f))
    : [];
  return files
    .map(f => path.join(dir, f))
    .sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs)[0];
}

type CallFrame = {
  functionName: string;
  url: string;
  lineNumber: number;
};

type ProfileNode = {
  id: number;
  callFrame: CallFrame;
  children?: number[];
};

/** When the load test drove a path (see run.ts). */
type PathWindow = { name: string; from: number; to: number };

type Profile = {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
};

/** The package of a script: its npm package, workspace, or node itself. */
function packageOf(url: string): string {
  if (!url) {
    return '(native)';
  }
  if (url.startsWith('node:')) {
    return 'node';
  }
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const [scope, name] = url.slice(modules + 14).split('/');
    return scope.startsWith('@') ? `${scope}/${name}` : scope;
  }
  const workspace = url.match(/\/(plugins|packages)\/([^/]+)\//);
  return workspace ? `${workspace[1]}/${workspace[2]}` : url;
}

function nameOf(frame: CallFrame): string {
  const file = frame.url.replace(/^.*\/(node_modules|plugins|packages)\//, '');
  return `${frame.functionName || '(anonymous)'} ${file}:${
    frame.lineNumber + 1
  }`;
}

function main() {
  const argv = process.argv.slice(2);
  const option = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv.splice(i, 2)[1] : undefined;
  };
  const pathName = option('--path');
  const pathsFile = option('--paths') ?? newestPaths(PROFILES);
  const top = Number(option('--top') ?? 25);
  const [file] = argv;
  if (!file) {
    throw new Error(
      "usage: profile.ts <file.cpuprofile> [--path 'product list'] [--paths file] [--top n]",
    );
  }
  const profile: Profile = JSON.parse(fs.readFileSync(file, 'utf8'));
  // The times when the path ran: a window for each round.
  let windows = [{ from: profile.startTime, to: profile.endTime }];
  if (pathName !== undefined) {
    if (!pathsFile) {
      throw new Error(`no paths-*.json in ${PROFILES}`);
    }
    const ran: PathWindow[] = JSON.parse(fs.readFileSync(pathsFile, 'utf8'));
    const name = ran.find(p => p.name.includes(pathName))?.name;
    if (!name) {
      throw new Error(
        `no path '${pathName}' in ${pathsFile}: ${ran.map(p => p.name)}`,
      );
    }
    windows = ran.filter(p => p.name === name);
  }
  const byId = new Map(profile.nodes.map(n => [n.id, n]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) {
    for (const child of node.children ?? []) {
      parent.set(child, node.id);
    }
  }

  // The time of each sample on the monotonic clock, in microseconds.
  const times: number[] = [];
  let t = profile.startTime;
  for (const delta of profile.timeDeltas) {
    t += delta;
    times.push(t);
  }
  const end = profile.endTime;

  const self = new Map<string, number>();
  const total = new Map<string, number>();
  const packages = new Map<string, number>();
  const add = (map: Map<string, number>, key: string, us: number) =>
    map.set(key, (map.get(key) ?? 0) + us);
  let all = 0;
  let idle = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    if (!windows.some(w => times[i] >= w.from && times[i] < w.to)) {
      continue;
    }
    // A sample stands for the time until the next one.
    const us = (times[i + 1] ?? end) - times[i];
    const node = byId.get(profile.samples[i])!;
    all += us;
    const fn = node.callFrame.functionName;
    if (fn === '(idle)' || fn === '(program)' || fn === '(garbage collector)') {
      if (fn === '(idle)') {
        idle += us;
      }
      add(self, fn, us);
      add(packages, fn, us);
      continue;
    }
    add(self, nameOf(node.callFrame), us);
    add(packages, packageOf(node.callFrame.url), us);
    const seen = new Set<string>();
    for (let id: number | undefined = node.id; id; id = parent.get(id)) {
      const frame = byId.get(id)!.callFrame;
      if (frame.functionName === '(root)') {
        break;
      }
      const name = nameOf(frame);
      if (!seen.has(name)) {
        seen.add(name);
        add(total, name, us);
      }
    }
  }

  if (all === 0) {
    throw new Error('no samples in that window');
  }
  const print = (title: string, map: Map<string, number>) => {
    console.log(`\n${title}`);
    for (const [key, us] of [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)) {
      console.log(
        `${((us / all) * 100).toFixed(1).padStart(6)}%${(us / 1000)
          .toFixed(0)
          .padStart(9)} ms  ${key}`,
      );
    }
  };
  console.log(
    `${pathName ?? 'the whole profile'}: ${(all / 1e6).toFixed(
      1,
    )} s of samples, ${((idle / all) * 100).toFixed(1)}% idle`,
  );
  print('self time by package', packages);
  print('self time by function', self);
  print('total time by function', total);
}

main();
