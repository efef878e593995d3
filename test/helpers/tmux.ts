/**
 * The interactive client in a real terminal: tmux on a private socket, keys
 * sent with send-keys, the screen read with capture-pane. Waits poll the
 * screen for a condition, with a deadline; nothing sleeps for a fixed time.
 */
import { execFile, execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);
const POLL_MS = 50;
const DEADLINE_MS = 10_000;

export function hasTmux(): boolean {
  try {
    execFileSync('tmux', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** The `skip` option of a test that needs tmux. */
export const TMUX_SKIP: string | false = hasTmux() ? false : 'tmux is not installed (apt-get install tmux); interactive tests skipped';

let sessions = 0;

export class TmuxSession {
  private constructor(private readonly socket: string, private readonly name: string) {}

  /** Starts `command` (a shell line) in a detached session of `width`×`height`. */
  static async start(t: TestContext, command: string, env: Record<string, string>, width = 100, height = 30): Promise<TmuxSession> {
    const socket = `termsender-test-${process.pid}-${sessions}`;
    const session = new TmuxSession(socket, `s${sessions++}`);
    const exports = Object.entries(env).map(([key, value]) => `export ${key}='${value.replace(/'/g, "'\\''")}';`).join(' ');
    // The trailing `read` keeps the pane (and its last screen) after the client exits.
    // A long scrollback (set before the pane exists) for tests that read everything printed.
    await run('tmux', ['-L', socket, '-f', '/dev/null', 'start-server', ';', 'set-option', '-g', 'history-limit', '20000', ';',
      'new-session', '-d', '-s', session.name, '-x', String(width), '-y', String(height), `${exports} ${command}; echo "[exited $?]"; read -r _`]);
    t.after(async () => {
      await run('tmux', ['-L', socket, 'kill-server']).catch(() => undefined);
      // kill-server leaves the socket file behind (tmux 3.3): where -L put it.
      rmSync(path.join(process.env['TMUX_TMPDIR'] ?? tmpdir(), `tmux-${process.getuid?.() ?? 0}`, socket), { force: true });
    });
    return session;
  }

  async keys(...keys: string[]): Promise<void> {
    await run('tmux', ['-L', this.socket, 'send-keys', '-t', this.name, ...keys]);
  }

  /** Types text literally (no key names). */
  async type(text: string): Promise<void> {
    await run('tmux', ['-L', this.socket, 'send-keys', '-t', this.name, '-l', text]);
  }

  /**
   * Pastes `text` as a terminal does: bracketed (ESC[200~ … ESC[201~) when the
   * application asked for it, newlines as carriage returns.
   */
  async paste(text: string): Promise<void> {
    await run('tmux', ['-L', this.socket, 'set-buffer', '-b', 'paste', '--', text]);
    await run('tmux', ['-L', this.socket, 'paste-buffer', '-p', '-d', '-b', 'paste', '-t', this.name]);
  }

  /** Types a line and presses Enter. */
  async enter(text: string): Promise<void> {
    await this.type(text);
    await this.keys('Enter');
  }

  /**
   * Types each piece and presses Tab after it, in separate sends: keys that
   * arrive together are a paste to readline, where Tab inserts a tab.
   */
  async tabComplete(...pieces: string[]): Promise<void> {
    for (const piece of pieces) {
      await this.type(piece);
      // Each key in its own read: readline completes only on a Tab that ends the bytes it read at once
      // (a Tab followed by more typed keys in the same read is taken as pasted and inserted).
      const typed = await this.waitFor((screen) => lastLine(screen).endsWith(piece), `the typed ${JSON.stringify(piece)}`);
      await this.keys('Tab');
      await this.waitFor((screen) => lastLine(screen) !== lastLine(typed), 'the line changed by Tab').catch(() => undefined);
    }
  }

  /**
   * Appends every byte the program in the pane writes from now on to `file`
   * (raw, before the terminal interprets it: BEL, escapes and all).
   */
  async pipeOutput(file: string): Promise<void> {
    await run('tmux', ['-L', this.socket, 'pipe-pane', '-o', '-t', this.name, `cat >> '${file.replace(/'/g, "'\\''")}'`]);
  }

  /** The visible screen; with `escapes`, including colour codes. */
  async screen(escapes = false): Promise<string> {
    const { stdout } = await run('tmux', ['-L', this.socket, 'capture-pane', '-p', '-t', this.name, ...(escapes ? ['-e'] : [])]);
    return stdout;
  }

  /** Everything the pane printed, scrollback included. */
  async scrollback(): Promise<string> {
    const { stdout } = await run('tmux', ['-L', this.socket, 'capture-pane', '-p', '-S', '-', '-t', this.name]);
    return stdout;
  }

  /** Resolves with the screen once `condition` holds for it. */
  waitFor(condition: (screen: string) => boolean, what: string, escapes = false): Promise<string> {
    return poll(() => this.screen(escapes), condition, `screen never showed ${what}`);
  }

  /** Resolves with everything printed (scrollback included) once `condition` holds for it. */
  waitForScrollback(condition: (printed: string) => boolean, what: string): Promise<string> {
    return poll(() => this.scrollback(), condition, `the pane never printed ${what}`);
  }

  waitForText(text: string | RegExp): Promise<string> {
    return this.waitFor((screen) => (typeof text === 'string' ? screen.includes(text) : text.test(screen)), String(text));
  }
}

/** Reads `read` until `condition` holds for what it gives (every POLL_MS, at most DEADLINE_MS). */
async function poll(read: () => Promise<string>, condition: (text: string) => boolean, failure: string): Promise<string> {
  const deadline = Date.now() + DEADLINE_MS;
  for (;;) {
    const text = await read();
    if (condition(text)) return text;
    if (Date.now() > deadline) throw new Error(`${failure}:\n${text}`);
    await sleep(POLL_MS);
  }
}

/** The last non-blank line of a screen. */
export function lastLine(screen: string): string {
  return screen.trimEnd().split('\n').at(-1) ?? '';
}
