import { execFileSync, spawnSync } from 'node:child_process';

function onPath(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;
}

/**
 * The tests use real programs from Debian packages. On a Debian machine where we are root, a missing
 * one is installed as CI does; elsewhere the error says what to install.
 */
export function ensureInstalled(command: string, debianPackage: string, alternative = ''): void {
  if (onPath(command)) return;
  const isRoot = process.getuid?.() === 0;
  if (!isRoot || !onPath('apt-get')) {
    throw new Error(`${command} is not installed. Install Debian's "${debianPackage}" package (apt-get install -y ${debianPackage})${alternative}.`);
  }
  process.stderr.write(`${command} not found: installing Debian package "${debianPackage}" (apt-get) ...\n`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', debianPackage], { stdio: 'inherit', env });
}
